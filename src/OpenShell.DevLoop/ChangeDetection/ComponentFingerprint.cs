using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// A component's fingerprint: SHA-256 over its input files' paths and blob ids, in path order. It depends
/// on content only, so committing, staging or switching branches away and back never changes it.
/// </summary>
internal static class ComponentFingerprint
{
    /// <summary>
    /// The fingerprint of the files whose mask (<paramref name="fileMasks"/>, aligned with <paramref name="sortedFiles"/>) has
    /// bit <paramref name="bit"/>; empty when there are none.
    /// </summary>
    public static string Compute(IReadOnlyList<InputFile> sortedFiles, ulong[] fileMasks, int bit) =>
        Hash(Select(sortedFiles, fileMasks, bit));

    /// <summary>The files of <paramref name="sortedFiles"/> whose mask has bit <paramref name="bit"/>, in order.</summary>
    public static InputFile[] Select(IReadOnlyList<InputFile> sortedFiles, ulong[] fileMasks, int bit)
    {
        ArgumentNullException.ThrowIfNull(sortedFiles);
        ArgumentNullException.ThrowIfNull(fileMasks);
        var mask = 1UL << bit;
        var count = 0;
        for (var i = 0; i < fileMasks.Length; i++)
        {
            count += (fileMasks[i] & mask) != 0 ? 1 : 0;
        }

        var selected = new InputFile[count];
        for (int i = 0, next = 0; next < count; i++)
        {
            if ((fileMasks[i] & mask) != 0)
            {
                selected[next++] = sortedFiles[i];
            }
        }

        return selected;
    }

    /// <summary>SHA-256 over one line per file, "&lt;blob id&gt; &lt;path&gt;\n" (as `git ls-files -s` shows it without the mode); empty for no files.</summary>
    public static string Hash(IReadOnlyList<InputFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            return string.Empty;
        }

        // The whole text is laid out once and hashed in one call: far cheaper than one call per file. Lines are encoded
        // straight into it (no array per file: a 50,000-file tree would keep 50,000 of them).
        var length = 0;
        for (var i = 0; i < files.Count; i++)
        {
            length += Encoding.UTF8.GetByteCount(files[i].BlobId) + Encoding.UTF8.GetByteCount(files[i].Path) + 2;
        }

        var text = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = 0;
            for (var i = 0; i < files.Count; i++)
            {
                at += Encoding.UTF8.GetBytes(files[i].BlobId, text.AsSpan(at));
                text[at++] = (byte)' ';
                at += Encoding.UTF8.GetBytes(files[i].Path, text.AsSpan(at));
                text[at++] = (byte)'\n';
            }

            return Convert.ToHexStringLower(SHA256.HashData(text.AsSpan(0, length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(text);
        }
    }
}
