using System.Security.Cryptography;
using System.Text;

namespace OpenShell.Sandbox;

/// <summary>
/// The SHA-256 of the running build, so the gateway can tell which build a pod runs: of the executable for a single file,
/// and of the whole folder for a dev build run from a tree on the node (<c>.openshell-sandbox.d/&lt;tree&gt;/</c>): the
/// SHA-256 of the lines <c>&lt;file sha256&gt;  &lt;path&gt;\n</c> of its files in ordinal order of path, the tree's
/// sha256 the deploy reads back.
/// </summary>
internal static class SelfDigest
{
    internal static async Task<string> ComputeAsync(CancellationToken ct = default)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown");
        var folder = Path.GetDirectoryName(path);
        var trees = folder is null ? null : Path.GetFileName(Path.GetDirectoryName(folder));
        return folder is not null && trees == $".{Path.GetFileName(path)}.d"
            ? await TreeAsync(folder, ct).ConfigureAwait(false)
            : await FileAsync(path, ct).ConfigureAwait(false);
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

    private static async Task<string> FileAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
    }
}
