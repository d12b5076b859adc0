using System.Security.Cryptography;
using System.Text;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// A published folder as the node holds it: its files by path and sha256, and the tree's sha256, the sha256 of the
/// lines <c>&lt;file sha256&gt;  &lt;path&gt;\n</c> in ordinal order of path (what <c>sha256sum</c> prints for the sorted
/// files, so the node can recompute it with <see cref="NodeLayout.TreeHashCommand"/>).
/// </summary>
public sealed class NodeTree
{
    private NodeTree(IReadOnlyList<NodeTreeFile> files, string sha256)
    {
        Files = files;
        Sha256 = sha256;
    }

    /// <summary>The files, in ordinal order of path.</summary>
    public IReadOnlyList<NodeTreeFile> Files { get; }

    /// <summary>The tree's sha256: its folder's name on the node and what the deploy reads back.</summary>
    public string Sha256 { get; }

    /// <summary>The tree of <paramref name="folder"/>: every file under it, hashed (or taken from <paramref name="hashes"/> when unchanged).</summary>
    /// <exception cref="DeployException">A path holds a character the node's scripts do not quote, or the folder is empty.</exception>
    public static async Task<NodeTree> ReadAsync(string folder, FileHashCache? hashes = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var files = new List<NodeTreeFile>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var path = Path.GetRelativePath(folder, file).Replace('\\', '/');
            var sha = hashes is null ? await HashFileAsync(file, ct).ConfigureAwait(false) : await hashes.HashAsync(file, ct).ConfigureAwait(false);
            files.Add(new NodeTreeFile(path, sha, file));
        }

        hashes?.Save();
        return Of(files);
    }

    /// <summary>The tree of <paramref name="files"/>.</summary>
    /// <exception cref="DeployException">A path holds a character the node's scripts do not quote, or there is no file.</exception>
    public static NodeTree Of(IEnumerable<NodeTreeFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var sorted = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (sorted.Count == 0)
        {
            throw new DeployException(DeployStep.Supervisor, "The published folder holds no file; publish the project again.");
        }

        var text = new StringBuilder();
        foreach (var file in sorted)
        {
            if (!NodeLayout.IsSafePath(file.Path))
            {
                throw new DeployException(DeployStep.Supervisor,
                    $"The published file '{file.Path}' has a name the node's scripts do not take (letters, digits, '.', '_', '-', '+' and '/' only); rename it in the project.");
            }

            text.Append(file.Sha256).Append("  ").Append(file.Path).Append('\n');
        }

        return new NodeTree(sorted, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))));
    }

    internal static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
    }
}
