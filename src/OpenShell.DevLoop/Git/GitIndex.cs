using System.Buffers.Binary;
using System.Text;

namespace OpenShell.DevLoop.Git;

/// <summary>
/// git's index (<c>.git/index</c>, versions 2, 3 and 4) read directly, so a plan needs no git process
/// to learn the staged blob ids and stat data of thousands of files.
/// </summary>
internal sealed class GitIndex
{
    private const int Sha1Length = 20;

    private GitIndex(int version, IReadOnlyList<GitIndexEntry> entries, DateTime lastWriteUtc)
    {
        Version = version;
        Entries = entries;
        LastWriteUtc = lastWriteUtc;
    }

    /// <summary>The format version (2, 3 or 4).</summary>
    public int Version { get; }

    /// <summary>The entries in index order (sorted by path, then stage).</summary>
    public IReadOnlyList<GitIndexEntry> Entries { get; }

    /// <summary>When the index file was written: files modified at or after it are "racily clean" and must be re-hashed.</summary>
    public DateTime LastWriteUtc { get; }

    /// <summary>The index of a repository that has none yet.</summary>
    public static GitIndex Empty { get; } = new(2, [], DateTime.MinValue);

    /// <summary>Reads the index of <paramref name="repository"/>; a repository without one has no entries.</summary>
    public static GitIndex Read(GitRepository repository)
    {
        var (bytes, written) = ReadFile(repository);
        return bytes.Length == 0 ? Empty : Parse(bytes, repository.IndexPath, written);
    }

    /// <summary>The index file's bytes (empty when there is none) and when it was written.</summary>
    public static (byte[] Bytes, DateTime LastWriteUtc) ReadFile(GitRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var info = new FileInfo(repository.IndexPath);
        if (!info.Exists)
        {
            return ([], DateTime.MinValue);
        }

        try
        {
            return (File.ReadAllBytes(info.FullName), info.LastWriteTimeUtc);
        }
        catch (IOException ex)
        {
            throw new GitException($"git's index {info.FullName} cannot be read ({ex.Message}); is another git command rewriting it? Try again.", ex);
        }
    }

    /// <summary>Parses index bytes; <paramref name="source"/> names the file in errors.</summary>
    public static GitIndex Parse(ReadOnlySpan<byte> data, string source, DateTime lastWriteUtc)
    {
        if (data.Length < 12 || !data[..4].SequenceEqual("DIRC"u8))
        {
            throw new GitException($"{source} is not a git index (bad signature); run `git status` to let git rebuild it.");
        }

        var version = (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (version is < 2 or > 4)
        {
            throw new GitException($"{source} uses index format version {version}; only 2, 3 and 4 are supported. Run `git update-index --index-version 4`.");
        }

        var count = (int)BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        var entries = new List<GitIndexEntry>(count);
        var offset = 12;
        // Version 4's previous path, kept in place: each entry drops bytes from its end and appends its own.
        var pathBuffer = new byte[256];
        var previousLength = 0;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var start = offset;
                var e = data[offset..];
                var mtimeSeconds = BinaryPrimitives.ReadUInt32BigEndian(e[8..]);
                var mtimeNanoseconds = BinaryPrimitives.ReadUInt32BigEndian(e[12..]);
                var mode = BinaryPrimitives.ReadUInt32BigEndian(e[24..]);
                var size = BinaryPrimitives.ReadUInt32BigEndian(e[36..]);
                var objectId = Convert.ToHexStringLower(e.Slice(40, Sha1Length));
                var flags = BinaryPrimitives.ReadUInt16BigEndian(e[60..]);
                offset += 62;
                ushort extended = 0;
                if ((flags & 0x4000) != 0)
                {
                    if (version < 3)
                    {
                        throw new GitException($"{source}: entry {i} has extended flags in a version 2 index; run `git status` to let git rebuild it.");
                    }

                    extended = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
                    offset += 2;
                }

                int pathLength;
                string path;
                if (version == 4)
                {
                    // Prefix compression: drop N bytes from the previous path, then append a NUL-terminated suffix.
                    var strip = ReadOffsetVarint(data, ref offset);
                    var suffixLength = data[offset..].IndexOf((byte)0);
                    var keep = previousLength - strip;
                    if (keep < 0 || suffixLength < 0)
                    {
                        throw new GitException($"{source}: entry {i} is malformed; run `git status` to let git rebuild the index.");
                    }

                    pathLength = keep + suffixLength;
                    if (pathBuffer.Length < pathLength)
                    {
                        Array.Resize(ref pathBuffer, pathLength * 2);
                    }

                    data.Slice(offset, suffixLength).CopyTo(pathBuffer.AsSpan(keep));
                    offset += suffixLength + 1;
                    previousLength = pathLength;
                    path = Encoding.UTF8.GetString(pathBuffer.AsSpan(0, pathLength));
                }
                else
                {
                    pathLength = data[offset..].IndexOf((byte)0);
                    if (pathLength < 0)
                    {
                        throw new GitException($"{source}: entry {i} is malformed; run `git status` to let git rebuild the index.");
                    }

                    // Only version 4 needs the previous path: the name is decoded straight from the index here.
                    path = Encoding.UTF8.GetString(data.Slice(offset, pathLength));

                    // Entries are NUL-padded to a multiple of 8 bytes (at least one NUL).
                    var entryLength = offset - start + pathLength;
                    offset = start + ((entryLength + 8) & ~7);
                }

                entries.Add(new GitIndexEntry(
                    path,
                    objectId,
                    mode,
                    size,
                    mtimeSeconds,
                    mtimeNanoseconds,
                    (flags >> 12) & 0x3,
                    (flags & 0x8000) != 0,
                    (extended & 0x4000) != 0,
                    (extended & 0x2000) != 0));
            }
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new GitException($"{source} is truncated; run `git status` to let git rebuild the index.", ex);
        }

        CheckExtensions(data, offset, source);
        return new GitIndex(version, entries, lastWriteUtc);
    }

    // Extensions this reader cannot honour would make its entries incomplete, so they are refused.
    private static void CheckExtensions(ReadOnlySpan<byte> data, int offset, string source)
    {
        while (offset + 8 <= data.Length - Sha1Length)
        {
            var signature = data.Slice(offset, 4);
            if (signature.SequenceEqual("link"u8))
            {
                throw new GitException($"{source} is a split index, which the planner does not read; run `git update-index --no-split-index`.");
            }

            if (signature.SequenceEqual("sdir"u8))
            {
                throw new GitException($"{source} is a sparse index, which the planner does not read; run `git sparse-checkout init --no-sparse-index`.");
            }

            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 4)..]);
            offset += 8 + size;
        }
    }

    // git's "offset" varint (varint.c): each continuation adds one before shifting.
    private static int ReadOffsetVarint(ReadOnlySpan<byte> data, ref int offset)
    {
        int c = data[offset++];
        var value = c & 0x7F;
        while ((c & 0x80) != 0)
        {
            c = data[offset++];
            value = ((value + 1) << 7) | (c & 0x7F);
        }

        return value;
    }
}
