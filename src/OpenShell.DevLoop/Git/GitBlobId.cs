using System.Security.Cryptography;
using System.Text;

namespace OpenShell.DevLoop.Git;

/// <summary>Computes git blob ids (<c>git hash-object</c>) without a git process.</summary>
internal static class GitBlobId
{
    /// <summary>The blob id of <paramref name="content"/>: SHA-1 of <c>blob &lt;size&gt;\0</c> then the bytes.</summary>
    public static string Of(ReadOnlySpan<byte> content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes($"blob {content.Length}\0"));
        hash.AppendData(content);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The blob id of a file's content as it is now.</summary>
    public static string OfFile(string fullPath)
    {
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        var length = stream.Length;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(Encoding.ASCII.GetBytes($"blob {length}\0"));
        var buffer = new byte[(int)Math.Min(Math.Max(length, 1), 81920)];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        if (total != length)
        {
            // The file changed while it was read; hashing what the header promised would be a lie.
            throw new IOException($"{fullPath} changed size while it was read.");
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The blob id git records for a symbolic link: its target text.</summary>
    public static string OfSymlink(string target) => Of(Encoding.UTF8.GetBytes(target));
}
