using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// One build of a component's publish folder in a deployer that may keep a warm compiler: the compiler when it can
/// build the edit, else MSBuild's publish, after which the compiler takes MSBuild's command lines again. The progress
/// lines say which of the two built, and why MSBuild did.
/// </summary>
internal static partial class WarmOrMSBuild
{
    /// <summary>Builds <paramref name="output"/> and returns what the deploy takes from it.</summary>
    /// <param name="compiler">The component's warm compiler; null publishes with MSBuild.</param>
    /// <param name="project">The project, as the progress lines name it.</param>
    /// <param name="output">The publish folder the compiler emits into.</param>
    /// <param name="required">A file the folder must hold for a warm compile (a failed publish removes the folder); null: the folder itself.</param>
    /// <param name="compiled">What the deploy takes after a warm compile.</param>
    /// <param name="publish">MSBuild's publish, with its progress line; returns what the deploy takes.</param>
    /// <param name="progress">Where progress lines go.</param>
    /// <param name="logger">Where a failed capture of the command lines is logged.</param>
    /// <param name="ct">Cancels the build.</param>
    public static async Task<string> BuildAsync(
        WarmCompiler? compiler, string project, string output, string? required, string compiled,
        (string Line, Func<Task<string>> Run) publish, Action<string> progress, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (compiler is not null)
        {
            progress($"warm compiler: checking {project} and its references");
            var present = required is null ? Directory.Exists(output) : File.Exists(Path.Combine(output, required));
            var result = present
                ? await compiler.TryCompileAsync(output, ct).ConfigureAwait(false)
                : WarmCompileResult.Fallback($"the publish folder holds no {required ?? "files"}");
            if (result.Compiled)
            {
                progress($"warm compiler: {result.Reason}");
                return compiled;
            }

            progress($"warm compiler: {result.Reason}; MSBuild builds instead");
        }

        progress(publish.Line);
        var published = await publish.Run().ConfigureAwait(false);
        if (compiler is not null)
        {
            try
            {
                await compiler.CaptureAsync(ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                // The deploy stands on MSBuild's publish; the next one publishes with MSBuild again.
                LogCaptureFailed(logger, ex.Message);
            }
        }

        return published;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm compiler could not take the compiler's command lines; MSBuild builds the next edit too: {Reason}")]
    private static partial void LogCaptureFailed(ILogger logger, string reason);
}
