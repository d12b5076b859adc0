using System.Reflection;
using SharpCompress.Common;
using SharpCompress.Common.Tar;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// Reads the type flag of a SharpCompress tar entry. SharpCompress's public entry only tells directories apart:
/// devices, fifos and hardlinks look like empty files, which would let a hostile bundle through. The flag sits on
/// the entry's (internal) header, so it is read by reflection once per entry; if the library's shape ever changes
/// this fails closed, rejecting every bundle with a message that says why.
/// </summary>
internal static class TarEntryKinds
{
    private static readonly FieldInfo? FilePartField =
        typeof(TarEntry).GetField("_filePart", BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly PropertyInfo? HeaderProperty =
        FilePartField?.FieldType.GetProperty("Header", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    private static readonly PropertyInfo? EntryTypeProperty =
        HeaderProperty?.PropertyType.GetProperty("EntryType", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    public static TarEntryKind Get(IEntry entry)
    {
        if (entry is not TarEntry tarEntry)
        {
            return TarEntryKind.Other;
        }

        if (FilePartField is null || HeaderProperty is null || EntryTypeProperty is null)
        {
            throw new RuntimeBundleException(
                BundleRule.UnsupportedEntryType,
                entry.Key,
                "cannot read tar entry types with this SharpCompress version; pin the version in Directory.Packages.props");
        }

        var header = HeaderProperty.GetValue(FilePartField.GetValue(tarEntry));
        var flag = Convert.ToInt32(EntryTypeProperty.GetValue(header), System.Globalization.CultureInfo.InvariantCulture);
        return flag switch
        {
            0 or '0' => TarEntryKind.RegularFile,
            '1' => TarEntryKind.HardLink,
            '2' => TarEntryKind.SymbolicLink,
            '3' => TarEntryKind.CharacterDevice,
            '4' => TarEntryKind.BlockDevice,
            '5' => TarEntryKind.Directory,
            '6' => TarEntryKind.Fifo,
            _ => TarEntryKind.Other,
        };
    }

    public static string Describe(TarEntryKind kind) => kind switch
    {
        TarEntryKind.RegularFile => "a regular file",
        TarEntryKind.Directory => "a directory",
        TarEntryKind.SymbolicLink => "a symlink",
        TarEntryKind.HardLink => "a hardlink",
        TarEntryKind.CharacterDevice => "a character device",
        TarEntryKind.BlockDevice => "a block device",
        TarEntryKind.Fifo => "a fifo",
        _ => "an entry of an unsupported type (socket, sparse or vendor-specific)",
    };
}
