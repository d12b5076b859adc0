using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// A file's device and inode, as <c>statx(2)</c> reports them without following a link: two paths with the same identity
/// are hard links to one file. statx's buffer has the same layout on every Linux architecture.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxIno = 0x100;

    /// <summary>The identity of <paramref name="path"/>, or null where statx is not available (not Linux) or fails.</summary>
    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxIno, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No glibc statx (an old or another C library): hard links are copied as separate files.
            return null;
        }

        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        var major = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136));
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        if (!BitConverter.IsLittleEndian)
        {
            inode = BinaryPrimitives.ReverseEndianness(inode);
            major = BinaryPrimitives.ReverseEndianness(major);
            minor = BinaryPrimitives.ReverseEndianness(minor);
        }

        return new FileIdentity(((ulong)major << 32) | minor, inode);
    }

    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
