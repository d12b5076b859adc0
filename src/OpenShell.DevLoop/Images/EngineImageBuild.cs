using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// One image build through the engine's legacy builder, the context sent as a tar stream. The build output goes to the log
/// line by line. The engine reports a failed step in-band (the API call itself succeeds), so its first error becomes the
/// caller's exception, in the caller's words.
/// </summary>
internal static partial class EngineImageBuild
{
    /// <summary>
    /// Builds with <paramref name="parameters"/> (the Dockerfile named <c>Dockerfile</c> in the context unless set;
    /// intermediate containers always removed) from <paramref name="context"/>.
    /// </summary>
    /// <param name="failure">The exception for the engine's error text.</param>
    public static async Task RunAsync(
        IDockerClient docker, ImageBuildParameters parameters, Stream context, ILogger logger, Func<string, Exception> failure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(failure);
        parameters.Dockerfile ??= "Dockerfile";
        parameters.Remove = true;
        parameters.ForceRemove = true;
        var progress = new Progress(logger);
        await docker.Images.BuildImageFromDockerfileAsync(parameters, context, authConfigs: null, headers: null, progress, ct).ConfigureAwait(false);
        if (progress.Error is { } error)
        {
            throw failure(error);
        }
    }

    /// <summary>
    /// Writes a context with <paramref name="write"/> into a temporary file (named after <paramref name="purpose"/>), hands it to
    /// <paramref name="build"/> to read, and removes it whatever happens: a large context is not held in memory.
    /// </summary>
    public static async Task<T> WithContextFileAsync<T>(string purpose, Func<Stream, Task> write, Func<FileStream, Task<T>> build)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(build);
        var path = Path.Combine(Path.GetTempPath(), $"openshell-{purpose}-context-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(file).ConfigureAwait(false);
            }

            await using var context = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            return await build(context).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <inheritdoc cref="WithContextFileAsync{T}"/>
    public static Task WithContextFileAsync(string purpose, Func<Stream, Task> write, Func<FileStream, Task> build) =>
        WithContextFileAsync(purpose, write, async context =>
        {
            await build(context).ConfigureAwait(false);
            return true;
        });

    /// <summary>Relays the build's output line by line and remembers the first error.</summary>
    private sealed partial class Progress(ILogger logger) : IProgress<JSONMessage>
    {
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
}
