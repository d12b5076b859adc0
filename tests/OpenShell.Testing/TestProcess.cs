using System.Diagnostics;
using System.Text;

namespace OpenShell.Testing;

/// <summary>The outcome of a finished process.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Everything written to standard output.</param>
/// <param name="Stderr">Everything written to standard error.</param>
public sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Throws with both streams when the exit code is not zero.</summary>
    public ProcessOutcome EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} exited {ExitCode}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        return this;
    }
}

/// <summary>Runs a program to completion for a test, with a timeout.</summary>
public static class TestProcess
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static async Task<ProcessOutcome> RunAsync(
        string fileName,
        IEnumerable<string> args,
        string? workingDirectory = null,
        IDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish in time.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        process.WaitForExit();
        return new ProcessOutcome(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
