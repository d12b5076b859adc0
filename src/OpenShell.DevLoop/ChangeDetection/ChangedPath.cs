namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>A path in git's change set (unstaged, staged or untracked).</summary>
/// <param name="Path">The path relative to the repository root, '/'-separated.</param>
/// <param name="Kind">How it changed.</param>
public sealed record ChangedPath(string Path, ChangeKind Kind);
