namespace OpenShell.Testing;

/// <summary>
/// Caches every test checkout of this machine shares, as a developer's worktrees can: clones of one commit then link
/// the release supervisor once instead of once per cluster.
/// </summary>
public static class TestCaches
{
    /// <summary>The shared release supervisor cache (<c>OpenShell:Images:SupervisorCache</c>).</summary>
    public static string ReleaseSupervisors { get; } = Path.Combine(Path.GetTempPath(), "openshell-tests", "release-supervisors");
}
