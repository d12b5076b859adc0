using System.Diagnostics;

namespace OpenShell.Sandbox;

/// <summary>The workload as a child process that inherits the supervisor's standard streams.</summary>
internal sealed class Workload : IDisposable
{
    private readonly Process _process;

    private Workload(Process process) => _process = process;

    internal int ProcessId => _process.Id;

    internal static Workload Start(IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            return new Workload(Process.Start(info) ?? throw new InvalidOperationException($"could not start {command[0]}"));
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new SupervisorUsageException($"cannot start the workload '{command[0]}': {ex.Message}");
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the child; false when it has already exited.</summary>
    internal bool Signal(int signal) => !_process.HasExited && NativeMethods.Kill(_process.Id, signal) == 0;

    /// <summary>Waits for the child; a child killed by signal N reports 128 + N, as a shell would.</summary>
    internal async Task<int> WaitAsync(CancellationToken ct = default)
    {
        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();
}
