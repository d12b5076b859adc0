using System.Security.Cryptography;
using System.Text;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// A component's fingerprint: SHA-256 over its input files' paths and blob ids, in path order. It depends
/// on content only, so committing, staging or switching branches away and back never changes it.
/// </summary>
internal static class ComponentFingerprint
{
    /// <summary>The mask of each file of <paramref name="files"/>, in the same order: one lookup per file for every component.</summary>
    public static ulong[] MasksOf(IReadOnlyList<InputFile> files, IReadOnlyDictionary<string, ulong> masks)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(masks);
        var result = new ulong[files.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = masks[files[i].Path];
        }

        return result;
    }

    /// <summary>
    /// The fingerprint of the files whose mask (<paramref name="fileMasks"/>, aligned with <paramref name="sortedFiles"/>) has
    /// bit <paramref name="bit"/>; empty when there are none.
    /// </summary>
    public static string Compute(IReadOnlyList<InputFile> sortedFiles, ulong[] fileMasks, int bit)
    {
        ArgumentNullException.ThrowIfNull(sortedFiles);
        ArgumentNullException.ThrowIfNull(fileMasks);

        // The whole text is built once and hashed in one call: far cheaper than one call per file.
        var text = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        var any = false;
        var mask = 1UL << bit;
        for (var i = 0; i < sortedFiles.Count; i++)
        {
            if ((fileMasks[i] & mask) == 0)
            {
                continue;
            }

            // One line per file, "<blob id> <path>\n", as `git ls-files -s` shows it without the mode.
            var file = sortedFiles[i];
            Write(text, file.BlobId);
            Write(text, " ");
            Write(text, file.Path);
            Write(text, "\n");
            any = true;
        }

        return any ? Convert.ToHexStringLower(SHA256.HashData(text.WrittenSpan)) : string.Empty;
    }

    private static void Write(System.Buffers.ArrayBufferWriter<byte> text, string value)
    {
        var span = text.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        text.Advance(Encoding.UTF8.GetBytes(value, span));
    }
}
