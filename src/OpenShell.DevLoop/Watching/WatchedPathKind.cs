namespace OpenShell.DevLoop.Watching;

/// <summary>What a file event's path means to the watcher.</summary>
internal enum WatchedPathKind
{
    /// <summary>Not interesting: our own outputs, git's object store, logs, fetch results.</summary>
    Ignored,

    /// <summary>A working-tree file that may feed a component (still subject to git's ignore rules).</summary>
    WorkingTree,

    /// <summary>A git file that changes during checkouts, rebases, merges and commits.</summary>
    GitOperation,
}
