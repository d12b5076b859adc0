using Xunit;

namespace OpenShell.Testing;

/// <summary>
/// A fact that needs what real k3s needs: an engine that runs privileged containers and the real k3s image present
/// locally. The reason to skip is the one line eng/smoke-real-k3s.sh prints for this machine (it decides once per run).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPrivilegedDockerAttribute : FactAttribute
{
    /// <summary>Creates the attribute and decides whether to skip.</summary>
    public RequiresPrivilegedDockerAttribute()
    {
        if (PrivilegedDockerGate.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Runs <c>eng/smoke-real-k3s.sh --check</c> once per test run.</summary>
public static class PrivilegedDockerGate
{
    private static readonly Lazy<string?> s_reason = new(() =>
    {
        var script = Path.Combine(RepositoryPaths.Root, "eng", "smoke-real-k3s.sh");
        var outcome = Task.Run(() => TestProcess.RunAsync("bash", [script, "--check"], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(2))).GetAwaiter().GetResult();
        var line = outcome.Stdout.Trim();
        return outcome.ExitCode == 0 && line == "smoke-real-k3s: ready" ? null : line.Length > 0 ? line : $"eng/smoke-real-k3s.sh --check failed: {outcome.Stderr.Trim()}";
    });

    /// <summary>The reason to skip, or null to run.</summary>
    public static string? SkipReason => s_reason.Value;
}
