using System.Security.Cryptography;
using System.Text;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// A component's fingerprint: SHA-256 over its input files' paths and blob ids, in path order. It depends
/// on content only, so committing, staging or switching branches away and back never changes it.
/// </summary>
internal static class ComponentFingerprint
{
    /// <summary>The fingerprint of the files whose mask has bit <paramref name="bit"/>; empty when there are none.</summary>
    public static string Compute(IReadOnlyList<InputFile> sortedFiles, IReadOnlyDictionary<string, ulong> masks, int bit)
    {
        ArgumentNullException.ThrowIfNull(sortedFiles);
        ArgumentNullException.ThrowIfNull(masks);

        // The whole text is built once and hashed in one call: far cheaper than one call per file.
        var text = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        var any = false;
        foreach (var file in sortedFiles)
        {
            if ((masks[file.Path] & (1UL << bit)) == 0)
            {
                continue;
            }

            // One line per file, "<blob id> <path>\n", as `git ls-files -s` shows it without the mode.
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
