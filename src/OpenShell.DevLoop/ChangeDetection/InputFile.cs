using System.Text;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>A file that feeds at least one component, identified by its content.</summary>
/// <param name="Path">The path relative to the repository root, '/'-separated.</param>
/// <param name="BlobId">The git blob id of its content in the working tree.</param>
public sealed record InputFile(string Path, string BlobId)
{
    private byte[]? _line;

    /// <summary>
    /// The line this file adds to a component's fingerprint, "&lt;blob id&gt; &lt;path&gt;\n" in UTF-8. Kept with the record: the
    /// scanner reuses the records of unchanged files, so a plan encodes only the files that changed.
    /// </summary>
    internal ReadOnlySpan<byte> FingerprintLine => _line ??= EncodeLine();

    private byte[] EncodeLine()
    {
        var blobBytes = Encoding.UTF8.GetByteCount(BlobId);
        var line = new byte[blobBytes + 1 + Encoding.UTF8.GetByteCount(Path) + 1];
        Encoding.UTF8.GetBytes(BlobId, line);
        line[blobBytes] = (byte)' ';
        Encoding.UTF8.GetBytes(Path, line.AsSpan(blobBytes + 1));
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>Two records are equal when path and blob id are; the cached line is not part of the value.</summary>
    public bool Equals(InputFile? other) =>
        other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal) && string.Equals(BlobId, other.BlobId, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Path, BlobId);
}
