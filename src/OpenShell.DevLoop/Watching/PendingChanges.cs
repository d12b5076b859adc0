namespace OpenShell.DevLoop.Watching;

/// <summary>Changes accumulated since the last deploy took them; not thread-safe (the loop locks).</summary>
internal sealed class PendingChanges
{
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    public bool IsEmpty => BatchCount == 0;

    public int BatchCount { get; private set; }

    public int PathCount => _paths.Count;

    public bool GitActivity { get; private set; }

    public bool Rescan { get; private set; }

    public DateTimeOffset FirstAt { get; private set; }

    public DateTimeOffset LastAt { get; private set; }

    public void Add(TreeChange change, DateTimeOffset now)
    {
        if (IsEmpty)
        {
            FirstAt = now;
        }

        LastAt = now;
        BatchCount++;
        GitActivity |= change.GitActivity;
        Rescan |= change.Rescan;
        _paths.UnionWith(change.Paths);
    }

    /// <summary>Adds changes that a failed deploy did not deliver, without restarting the debounce.</summary>
    public void Carry(IEnumerable<string> paths, bool rescan)
    {
        _paths.UnionWith(paths);
        Rescan |= rescan;
    }

    public IReadOnlyList<string> SortedPaths()
    {
        var list = _paths.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
