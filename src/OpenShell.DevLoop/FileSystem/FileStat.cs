using System.Runtime.InteropServices;
using System.Text;

namespace OpenShell.DevLoop.FileSystem;

/// <summary>
/// What <c>lstat</c> says about a path, read with one <c>statx</c> call on Linux (glibc) without the allocations of a
/// <see cref="FileInfo"/>: a scan of a large working tree makes tens of thousands of these. Where <c>statx</c> is not
/// available (another system, another C library) <see cref="TryRead"/> answers false and the caller uses <see cref="FileInfo"/>.
/// </summary>
/// <param name="Kind">A regular file, a symbolic link, or something else (a folder, a device).</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="MtimeSeconds">The modification time's seconds since the Unix epoch.</param>
/// <param name="MtimeNanoseconds">The modification time's nanoseconds.</param>
internal readonly record struct FileStat(FileStatKind Kind, long Size, long MtimeSeconds, uint MtimeNanoseconds)
{
    // From <linux/stat.h> and <fcntl.h>; the statx structure's layout is the same on every architecture.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxMtime = 0x40;
    private const uint StatxSize = 0x200;
    private const int BufferSize = 256;
    private const int ModeOffset = 28;
    private const int SizeOffset = 40;
    private const int MtimeOffset = 112;
    private const int OPath = 0x200000;
    private const int OCloexec = 0x80000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>The modification time as <see cref="FileInfo.LastWriteTimeUtc"/> gives it (100 ns ticks).</summary>
    public DateTime LastWriteUtc => DateTime.UnixEpoch.AddTicks((MtimeSeconds * TimeSpan.TicksPerSecond) + (MtimeNanoseconds / 100));

    /// <summary>
    /// Reads <paramref name="path"/> without following a final symbolic link. False when this system cannot (use
    /// <see cref="FileInfo"/> then) or the call failed for another reason than a missing path; a missing path is
    /// <see cref="FileStatKind.Missing"/>.
    /// </summary>
    public static bool TryRead(string path, out FileStat stat) => TryReadAt(AtFdCwd, path, out stat);

    /// <summary>As <see cref="TryRead"/>, for <paramref name="path"/> relative to the open folder <paramref name="folderFd"/>.</summary>
    public static bool TryReadAt(int folderFd, ReadOnlySpan<char> path, out FileStat stat)
    {
        stat = default;
        if (Volatile.Read(ref s_unavailable))
        {
            return false;
        }

        var length = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        Span<byte> name = length <= 1024 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(path, name);
        name[written] = 0;
        Span<byte> buffer = stackalloc byte[BufferSize];
        int result;
        try
        {
            result = Statx(folderFd, ref MemoryMarshal.GetReference(name), AtSymlinkNoFollow, StatxType | StatxMode | StatxSize | StatxMtime, ref MemoryMarshal.GetReference(buffer));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, true);
            return false;
        }

        if (result != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error is ENOENT or ENOTDIR)
            {
                stat = new FileStat(FileStatKind.Missing, 0, 0, 0);
                return true;
            }

            return false;
        }

        var type = MemoryMarshal.Read<ushort>(buffer[ModeOffset..]) & 0xF000;
        var kind = type switch
        {
            0x8000 => FileStatKind.File,
            0xA000 => FileStatKind.Symlink,
            _ => FileStatKind.Other,
        };
        stat = new FileStat(
            kind,
            (long)MemoryMarshal.Read<ulong>(buffer[SizeOffset..]),
            MemoryMarshal.Read<long>(buffer[MtimeOffset..]),
            MemoryMarshal.Read<uint>(buffer[(MtimeOffset + 8)..]));
        return true;
    }

    /// <summary>
    /// Opens <paramref name="path"/> to stat names in it (<see cref="TryReadAt"/>); -1 when it cannot. A path that is no
    /// folder opens too; a name in it then reads as missing, as the whole path would.
    /// </summary>
    public static int OpenFolder(string path)
    {
        if (Volatile.Read(ref s_unavailable))
        {
            return -1;
        }

        var length = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        Span<byte> name = length <= 1024 ? stackalloc byte[length] : new byte[length];
        name[Encoding.UTF8.GetBytes(path, name)] = 0;
        try
        {
            return Open(ref MemoryMarshal.GetReference(name), OPath | OCloexec);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, true);
            return -1;
        }
    }

    /// <summary>Closes a folder <see cref="OpenFolder"/> opened.</summary>
    public static void CloseFolder(int folderFd)
    {
        if (folderFd >= 0)
        {
            _ = Close(folderFd);
        }
    }

    [DllImport("libc.so.6", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(ref byte path, int flags);

    [DllImport("libc.so.6", EntryPoint = "close")]
    private static extern int Close(int fd);

    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryFd, ref byte path, int flags, uint mask, ref byte buffer);
}

/// <summary>What a path is, as <see cref="FileStat"/> tells it.</summary>
internal enum FileStatKind
{
    /// <summary>Nothing is there.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    File,

    /// <summary>A symbolic link (not followed).</summary>
    Symlink,

    /// <summary>A folder, a device, a socket or a pipe.</summary>
    Other,
}
