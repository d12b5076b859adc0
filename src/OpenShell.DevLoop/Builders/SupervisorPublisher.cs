using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Builders;

/// <summary>Publishes the supervisor (<c>src/OpenShell.Sandbox</c>, binary <c>openshell-sandbox</c>) for the cluster's architecture.</summary>
public static partial class SupervisorPublisher
{
    /// <summary>The project, relative to the repository root.</summary>
    public const string ProjectPath = "src/OpenShell.Sandbox/OpenShell.Sandbox.csproj";

    /// <summary>The published binary's name.</summary>
    public const string BinaryName = "openshell-sandbox";

    /// <summary>
    /// Runs <c>dotnet publish -c Release -r linux-&lt;arch&gt;</c> into <paramref name="outputDirectory"/> and returns the
    /// binary's path. Output goes to the log; a failure throws with the last lines.
    /// </summary>
    public static async Task<string> PublishAsync(string repositoryRoot, string architecture, string outputDirectory, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var project = Path.Combine(repositoryRoot, ProjectPath);
        if (!File.Exists(project))
        {
            throw new InvalidOperationException($"{project} does not exist; the supervisor is built from the repository's src/OpenShell.Sandbox.");
        }

        var rid = ClusterArchitecture.RuntimeIdentifier(architecture);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-r", rid, "-o", outputDirectory, "--nologo", "-v", "quiet", "-clp:NoSummary" })
        {
            start.ArgumentList.Add(arg);
        }

        LogPublishing(logger, rid, outputDirectory);
        var tail = new Queue<string>();
        void Collect(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 30)
                {
                    tail.Dequeue();
                }
            }

            LogOutput(logger, line);
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var binary = Path.Combine(outputDirectory, BinaryName);
        if (process.ExitCode != 0 || !File.Exists(binary))
        {
            string lines;
            lock (tail)
            {
                lines = string.Join('\n', tail);
            }

            throw new InvalidOperationException($"dotnet publish {ProjectPath} -r {rid} failed (exit {process.ExitCode}):\n{lines}");
        }

        LogPublished(logger, binary, watch.Elapsed.TotalSeconds);
        return binary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing the supervisor for {Rid} into {Output}")]
    private static partial void LogPublishing(ILogger logger, string rid, string output);

    [LoggerMessage(Level = LogLevel.Information, Message = "dotnet publish: {Line}")]
    private static partial void LogOutput(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Binary} in {Seconds:F1}s")]
    private static partial void LogPublished(ILogger logger, string binary, double seconds);
}
