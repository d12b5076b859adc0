using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Images;

/// <summary>Relays an engine build's output line by line and remembers the first error (the engine reports errors in-band).</summary>
internal sealed partial class EngineBuildProgress(ILogger logger) : IProgress<JSONMessage>
{
    /// <summary>The first error the engine reported, or null.</summary>
    public string? Error { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message ?? value.ErrorMessage;
        if (!string.IsNullOrEmpty(error))
        {
            Error ??= error.Trim();
            LogError(logger, error.Trim());
            return;
        }

        var text = value.Stream ?? value.Status;
        if (!string.IsNullOrWhiteSpace(text))
        {
            LogOutput(logger, text.TrimEnd());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogOutput(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "build: {Error}")]
    private static partial void LogError(ILogger logger, string error);
}
