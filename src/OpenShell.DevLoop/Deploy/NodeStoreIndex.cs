namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// What a node's file store and tree folder held after the last swap this checkout made there (the swap script's
/// <c>store</c> and <c>tree</c> lines), kept per node container in a file, so a swap uploads only the files the node lacks
/// without asking it first. A stale index costs one more try: a link into a missing store file fails the upload, and the
/// swap sends everything the tree needs.
/// </summary>
/// <param name="path">The index file (one per node container; written atomically).</param>
internal sealed class NodeStoreIndex(string path)
{
    /// <summary>The index of node container <paramref name="containerId"/> for binary <paramref name="name"/> under <paramref name="cacheDirectory"/>.</summary>
    public static NodeStoreIndex For(string cacheDirectory, string containerId, string name) =>
        new(Path.Combine(cacheDirectory, "deploy", "node-store", $"{containerId}.{name}.txt"));

    /// <summary>The store files (sha256) and trees (tree sha256) the node is believed to hold; empty when unknown.</summary>
    public (IReadOnlySet<string> Store, IReadOnlySet<string> Trees) Read()
    {
        var store = new HashSet<string>(StringComparer.Ordinal);
        var trees = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            Parse(File.ReadLines(path), store, trees);
        }

        return (store, trees);
    }

    /// <summary>Records the swap script's report lines (<c>store &lt;sha&gt;</c>, <c>tree &lt;sha&gt;</c>).</summary>
    public void Write(IEnumerable<string> reportLines)
    {
        var store = new HashSet<string>(StringComparer.Ordinal);
        var trees = new HashSet<string>(StringComparer.Ordinal);
        Parse(reportLines, store, trees);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllLines(temporary, store.Order(StringComparer.Ordinal).Select(s => "store " + s).Concat(trees.Order(StringComparer.Ordinal).Select(t => "tree " + t)));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Forgets what the node holds (the next swap uploads every file).</summary>
    public void Clear() => File.Delete(path);

    private static void Parse(IEnumerable<string> lines, HashSet<string> store, HashSet<string> trees)
    {
        foreach (var line in lines)
        {
            var parts = line.Trim().Split(' ', 2);
            if (parts.Length == 2 && parts[1].Length == 64 && parts[1].All(char.IsAsciiHexDigitLower))
            {
                (parts[0] switch { "store" => store, "tree" => trees, _ => null })?.Add(parts[1]);
            }
        }
    }
}
