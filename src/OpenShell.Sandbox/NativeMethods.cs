using System.Runtime.InteropServices;

namespace OpenShell.Sandbox;

internal static partial class NativeMethods
{
    /// <summary>kill(2): Process.Kill only sends SIGKILL, the workload deserves the signal it was sent.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    internal const int SigInt = 2;
    internal const int SigTerm = 15;
}
