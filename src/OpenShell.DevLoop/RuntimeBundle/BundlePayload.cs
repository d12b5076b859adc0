namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>What one streaming pass saw of the bundle directory: every entry by relative path, and the folders implied by them.</summary>
internal sealed class BundlePayload
{
    private readonly Dictionary<string, PayloadEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public HashSet<string> ImpliedDirectories { get; } = new(StringComparer.Ordinal);

    /// <summary>Every entry, keyed by its path relative to the bundle directory.</summary>
    public IReadOnlyDictionary<string, PayloadEntry> Entries => _entries;

    /// <summary>The paths in archive order, so the first offender is the one reported.</summary>
    public IReadOnlyList<string> Order => _order;

    public void Add(string path, PayloadEntry entry)
    {
        if (_entries.TryAdd(path, entry))
        {
            _order.Add(path);
        }
    }

    public bool TryGet(string path, out PayloadEntry entry) => _entries.TryGetValue(path, out entry!);

    public bool IsDirectory(string path)
        => ImpliedDirectories.Contains(path) || (_entries.TryGetValue(path, out var e) && e.Kind == TarEntryKind.Directory);

    /// <summary>What <c>test -e</c> would say after extraction: the path exists, following in-bundle symlinks.</summary>
    public bool Exists(string path) => Resolve(path) is not null;

    /// <summary>True when the path is a regular file, or a chain of in-bundle symlinks ending at one.</summary>
    public bool ResolvesToFile(string path)
        => Resolve(path) is { } final && _entries.TryGetValue(final, out var e) && e.Kind == TarEntryKind.RegularFile;

    /// <summary>Follows symlinks (at most 16 hops) to an existing entry or folder; null when the chain ends nowhere.</summary>
    private string? Resolve(string path)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            if (ImpliedDirectories.Contains(path))
            {
                return path;
            }

            if (!_entries.TryGetValue(path, out var entry))
            {
                return null;
            }

            if (entry.Kind != TarEntryKind.SymbolicLink)
            {
                return path;
            }

            if (BundlePaths.ResolveLinkTarget(path, entry.LinkTarget!) is not { } next)
            {
                return null;
            }

            path = next;
        }

        return null;
    }
}
