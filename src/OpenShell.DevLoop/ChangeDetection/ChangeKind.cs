namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>How a path differs from the last commit, as git would report it.</summary>
public enum ChangeKind
{
    /// <summary>Content differs from the index (unstaged) or the index from HEAD (staged).</summary>
    Modified,

    /// <summary>Staged as a new file.</summary>
    Added,

    /// <summary>Removed from the working tree or staged as removed (a rename's old path too).</summary>
    Deleted,

    /// <summary>Not tracked and not ignored (a rename's new path too, until staged).</summary>
    Untracked,

    /// <summary>An unresolved merge conflict.</summary>
    Conflicted,
}
