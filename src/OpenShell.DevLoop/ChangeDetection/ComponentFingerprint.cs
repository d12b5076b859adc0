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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var any = false;
        var buffer = new byte[512];
        foreach (var file in sortedFiles)
        {
            if ((masks[file.Path] & (1UL << bit)) == 0)
            {
                continue;
            }

            // One line per file, "<blob id> <path>\n", as `git ls-files -s` shows it without the mode.
            var line = $"{file.BlobId} {file.Path}\n";
            var length = Encoding.UTF8.GetMaxByteCount(line.Length);
            if (buffer.Length < length)
            {
                buffer = new byte[length];
            }

            hash.AppendData(buffer, 0, Encoding.UTF8.GetBytes(line, buffer));
            any = true;
        }

        return any ? Convert.ToHexStringLower(hash.GetHashAndReset()) : string.Empty;
    }
}
