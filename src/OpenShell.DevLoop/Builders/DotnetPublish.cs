using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Builders;

/// <summary>Runs <c>dotnet publish</c> (or <c>restore</c>) with its output relayed to the log and the last lines kept for the error message.</summary>
internal static partial class DotnetPublish
{
    /// <summary>Runs <c>dotnet publish</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="InvalidOperationException">The publish failed; the message holds its last output lines.</exception>
    /// <exception cref="DevLoopException">The publish ran out of disk space; the message names the folder, the remedy says what to do.</exception>
    public static Task RunAsync(string workingDirectory, IReadOnlyList<string> arguments, ILogger logger, CancellationToken ct = default) =>
        RunAsync("publish", workingDirectory, arguments, logger, ct);

    /// <summary>
    /// Restores <paramref name="project"/> once for every runtime identifier in <paramref name="runtimeIdentifiers"/>, so that
    /// publishes for each of them can skip their own restore (<c>--no-restore</c>). A publish's implicit restore for one
    /// runtime identifier rewrites the restore outputs that the publish for another then finds changed, so publishing
    /// architectures in turn would recompile every project each time even when nothing changed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The restore failed; the message holds its last output lines.</exception>
    public static Task RestoreAsync(string workingDirectory, string project, IEnumerable<string> runtimeIdentifiers, ILogger logger, CancellationToken ct = default) =>
        RunAsync("restore", workingDirectory,
            [project, $"-p:RuntimeIdentifiers=\"{string.Join(';', runtimeIdentifiers)}\"", "--nologo", "-v", "quiet", "-clp:NoSummary"], logger, ct);

    private static async Task RunAsync(string verb, string workingDirectory, IReadOnlyList<string> arguments, ILogger logger, CancellationToken ct)
    {
        // One publish or restore at a time per checkout, across processes (a deploy, a publish, the AppHost): two at once
        // write the same obj/ files, and the NativeAOT compiler dies with a bus error when another process rewrites a file it
        // has mapped. Within a process, PublishGate already orders publishes.
        using var checkout = await CrossProcessLock.AcquireAsync(
            Path.Combine(workingDirectory, FileSystem.CachePaths.DotnetPublishLockRelativePath), timeout: null, TimeSpan.FromMilliseconds(200), () => LogWaiting(logger, verb), ct)
            .ConfigureAwait(false);
        await RunUnlockedAsync(verb, workingDirectory, arguments, logger, ct).ConfigureAwait(false);
    }

    private static async Task RunUnlockedAsync(string verb, string workingDirectory, IReadOnlyList<string> arguments, ILogger logger, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(verb);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The build server is reused across publishes: a warm publish is then mostly an up-to-date check.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var tail = new Queue<string>();
        void Collect(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }

            LogOutput(logger, verb, line);
            // A task's stack frames (MSBuild prints them when a task throws) say nothing to the user; the log keeps them.
            if (IsStackFrame(line))
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
        }

        // A publish into a nearly full file system is not started: MSBuild's parallel Copy can wait forever on a disk that
        // refuses its writes, where failing now names the cause.
        if (verb == "publish" && OptionFolder(workingDirectory, arguments, "-o") is { } target && FreeBytes(target) is { } free && free < NearlyFullBytes)
        {
            throw DiskFullFailure(verb, workingDirectory, arguments,
                $"only {free / (1024 * 1024)} MiB free there, less than the {NearlyFullBytes / (1024 * 1024)} MiB a publish needs; dotnet publish was not started");
        }

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

        if (process.ExitCode != 0)
        {
            string lines;
            lock (tail)
            {
                lines = string.Join('\n', tail);
            }

            var output = verb == "publish" ? OptionFolder(workingDirectory, arguments, "-o") : null;
            if (DiskFull.IsIn(lines) || (output is not null && NearlyFull(output)))
            {
                throw DiskFullFailure(verb, workingDirectory, arguments, lines);
            }

            // Whatever failed, a file the publish cut short can look newer than its inputs and be taken as up to date
            // by the next incremental publish (the single-file bundler, for one, hides a full disk behind its own error).
            TryDelete(output);
            throw new InvalidOperationException($"dotnet {verb} {string.Join(' ', arguments.Take(1))} failed (exit {process.ExitCode}):\n{lines}");
        }
    }

    // Less free than a self-contained publish needs: a failure there is most likely the full disk, whatever it said.
    private const long NearlyFullBytes = 64L * 1024 * 1024;

    private static string? OptionFolder(string workingDirectory, IReadOnlyList<string> arguments, string option)
    {
        var i = arguments.ToList().IndexOf(option);
        return i >= 0 && i + 1 < arguments.Count ? Path.GetFullPath(Path.Combine(workingDirectory, arguments[i + 1])) : null;
    }

    private static bool NearlyFull(string folder) => FreeBytes(folder) < NearlyFullBytes;

    // Free bytes on the file system of folder (or of its nearest existing parent); null when it cannot be told.
    private static long? FreeBytes(string folder)
    {
        var existing = folder;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        try
        {
            return new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static void TryDelete(string? folder)
    {
        try
        {
            if (folder is not null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next publish writes every file again anyway once it finds the folder incomplete.
        }
    }

    /// <summary>
    /// A publish that ran out of space: its output folder goes, and its artifacts folder when a failed write was there,
    /// because a file cut short can look newer than its inputs and be taken as up to date by the next incremental publish.
    /// Intermediate files on a disk that did not fill are kept, so the next publish stays incremental.
    /// </summary>
    internal static DevLoopException DiskFullFailure(string verb, string workingDirectory, IReadOnlyList<string> arguments, string lines)
    {
        var output = OptionFolder(workingDirectory, arguments, "-o");
        var artifacts = OptionFolder(workingDirectory, arguments, "--artifacts-path");
        var written = new[] { output, artifacts is not null && lines.Contains(artifacts, StringComparison.Ordinal) ? artifacts : null }.OfType<string>().ToList();
        foreach (var folder in written)
        {
            TryDelete(folder);
        }

        var folderName = output ?? Path.GetFullPath(workingDirectory);
        var removed = written.Count == 0 ? "" : $"; what it had written was removed ({string.Join(", ", written)}), so no half-written file is reused";
        return new DevLoopException($"dotnet {verb}", $"{DiskFull.Message($"dotnet {verb} {string.Join(' ', arguments.Take(1))} wrote its output", folderName)}{removed}:\n{lines}",
            DiskFull.Remedy(folderName));
    }

    /// <summary>True for a stack frame line, bare or after MSBuild's <c>error MSB4018:</c> prefix.</summary>
    internal static bool IsStackFrame(string line) => StackFrame().IsMatch(line);

    [System.Text.RegularExpressions.GeneratedRegex(@"(^\s+|:\s{2,})at \S")]
    private static partial System.Text.RegularExpressions.Regex StackFrame();

    [LoggerMessage(Level = LogLevel.Information, Message = "dotnet {Verb}: waiting for another dotnet publish or restore of this checkout (another openshell-dev process) to finish")]
    private static partial void LogWaiting(ILogger logger, string verb);

    [LoggerMessage(Level = LogLevel.Information, Message = "dotnet {Verb}: {Line}")]
    private static partial void LogOutput(ILogger logger, string verb, string line);
}
