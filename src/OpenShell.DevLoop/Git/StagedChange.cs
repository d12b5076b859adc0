namespace OpenShell.DevLoop.Git;

/// <summary>A path whose staged content differs from HEAD.</summary>
/// <param name="Path">The path relative to the working tree.</param>
/// <param name="Status">git's status letter: A (added), M (modified), D (deleted), T (type changed).</param>
internal sealed record StagedChange(string Path, char Status);
