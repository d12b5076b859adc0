namespace OpenShell.DevLoop.Watching;

/// <summary>A batch of filtered file events: the tree may have changed.</summary>
/// <param name="Paths">Changed paths relative to the repository root, with '/' separators.</param>
/// <param name="GitActivity">True when git's own files changed: an operation such as a checkout or rebase may be running.</param>
/// <param name="Rescan">True when events were lost, so anything may have changed.</param>
internal sealed record TreeChange(IReadOnlyCollection<string> Paths, bool GitActivity = false, bool Rescan = false)
{
    /// <summary>A change that means "anything may have changed".</summary>
    public static TreeChange FullRescan { get; } = new([], Rescan: true);
}
