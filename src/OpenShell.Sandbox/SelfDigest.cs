using System.Security.Cryptography;
using System.Text;

namespace OpenShell.Sandbox;

/// <summary>
/// The SHA-256 of the running build, so the gateway can tell which build a pod runs: of the executable for a single file,
/// and for a dev build run from a tree on the node (<c>.openshell-sandbox.d/&lt;tree sha256&gt;/</c>) the tree's, which is
/// the SHA-256 of the lines <c>&lt;file sha256&gt;  &lt;path&gt;\n</c> of its files in ordinal order of path, the digest the
/// deploy reads back.
/// </summary>
internal static class SelfDigest
{
    internal static Task<string> ComputeAsync(CancellationToken ct = default) =>
        OfAsync(Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown"), ct);

    /// <summary>The digest of the build whose executable is <paramref name="path"/> (its real path, links resolved).</summary>
    internal static async Task<string> OfAsync(string path, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(path);
        var trees = folder is null ? null : Path.GetFileName(Path.GetDirectoryName(folder));
        if (folder is null || trees != $".{Path.GetFileName(path)}.d")
        {
            return await FileAsync(path, ct).ConfigureAwait(false);
        }

        // A tree on the node is named after its digest: the deploy places it under that name, recomputes the digest of what
        // the node holds through the link and fails unless they agree, and never changes a tree in place; pods mount it
        // read-only. Hashing it again here (80 MB: the dev build carries the runtime) put half a second before every
        // sandbox's registration. A tree under any other name is hashed.
        var name = Path.GetFileName(folder);
        return IsSha256(name) ? name : await TreeAsync(folder, ct).ConfigureAwait(false);
    }

    internal static async Task<string> TreeAsync(string folder, CancellationToken ct)
    {
        var lines = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            lines.Append(await FileAsync(file.Full, ct).ConfigureAwait(false)).Append("  ").Append(file.Relative).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())));
    }

    private static bool IsSha256(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    private static async Task<string> FileAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
    }
}
