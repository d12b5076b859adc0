using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// Builds a bundle tarball from an install-root folder (<c>usr/…</c>, <c>etc/…</c>): writes manifest.json with
/// sizes and hashes and packs everything in a fixed order with fixed timestamps and owners, so the same input
/// always gives the same bytes.
/// </summary>
public static partial class RuntimeBundlePacker
{
    /// <summary>The timestamp every entry carries, so packing is reproducible.</summary>
    public static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int ModeMask = 0x1FF;

    /// <summary>Packs <paramref name="installRoot"/> as the bundle <c>&lt;name&gt;_&lt;version&gt;_&lt;arch&gt;</c> into <paramref name="output"/> (gzip).</summary>
    /// <param name="installRoot">The folder holding the install-root payload.</param>
    /// <param name="architecture">amd64 or arm64 (aliases accepted).</param>
    /// <param name="output">The tarball to write; replaced atomically.</param>
    /// <param name="name">The bundle name recorded in the manifest.</param>
    /// <param name="version">The bundle version recorded in the manifest.</param>
    /// <param name="ct">Cancels packing; no partial output is left.</param>
    /// <exception cref="RuntimeBundleException">The install root cannot make a valid bundle.</exception>
    public static Task<PackedBundle> PackAsync(string installRoot, string architecture, string output, string name, string version, CancellationToken ct = default)
        => PackAsync(installRoot, architecture, output, new BundlePackOptions { Name = name, Version = version }, ct);

    /// <summary>Packs <paramref name="installRoot"/> with the manifest fields of <paramref name="options"/>.</summary>
    /// <param name="installRoot">The folder holding the install-root payload.</param>
    /// <param name="architecture">amd64 or arm64 (aliases accepted).</param>
    /// <param name="output">The tarball to write; replaced atomically.</param>
    /// <param name="options">Name, version, components and creation time recorded in the manifest.</param>
    /// <param name="ct">Cancels packing; no partial output is left.</param>
    /// <exception cref="RuntimeBundleException">The install root cannot make a valid bundle.</exception>
    public static async Task<PackedBundle> PackAsync(string installRoot, string architecture, string output, BundlePackOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(installRoot);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(options);
        var arch = BundleArchitecture.Normalize(architecture);
        CheckLabel(options.Name, "name");
        CheckLabel(options.Version, "version");
        CheckLabel(options.Toolkit.Version, $"{BundleManifest.ToolkitComponent} version");
        CheckLabel(options.Toolkit.Commit, $"{BundleManifest.ToolkitComponent} commit");
        CheckLabel(options.Library.Version, $"{BundleManifest.LibraryComponent} version");
        CheckLabel(options.Library.Commit, $"{BundleManifest.LibraryComponent} commit");
        var root = Path.GetFullPath(installRoot);
        if (!Directory.Exists(root))
        {
            throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, null, $"the install root '{installRoot}' does not exist or is not a directory");
        }

        var items = Collect(root);
        var files = new List<BundleManifestFile>();
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            if (item.LinkTarget is not null)
            {
                files.Add(new BundleManifestFile { Path = item.Relative, IsSymlink = true, Target = item.LinkTarget });
            }
            else if (!item.IsDirectory)
            {
                files.Add(new BundleManifestFile
                {
                    Path = item.Relative,
                    IsSymlink = false,
                    Size = new FileInfo(item.FullPath).Length,
                    Sha256 = await HashFileAsync(item.FullPath, ct).ConfigureAwait(false),
                });
            }
        }

        CheckRequiredPaths(items, installRoot, arch);
        var manifest = new BundleManifest
        {
            SchemaVersion = BundleManifest.CurrentSchemaVersion,
            Name = options.Name,
            Version = options.Version,
            Architecture = arch,
            CreatedAt = options.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            Toolkit = options.Toolkit,
            Library = options.Library,
            Files = files,
        };
        var bundleDirectory = manifest.DirectoryName;
        var outputPath = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        var temporary = $"{outputPath}.tmp-{Guid.NewGuid():N}";
        try
        {
            await WriteTarballAsync(temporary, bundleDirectory, manifest, items, ct).ConfigureAwait(false);
            var sha = await HashFileAsync(temporary, ct).ConfigureAwait(false);
            File.Move(temporary, outputPath, overwrite: true);
            return new PackedBundle { TarballPath = outputPath, Manifest = manifest, BundleDirectoryName = bundleDirectory, TarballSha256 = sha };
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task WriteTarballAsync(string path, string bundleDirectory, BundleManifest manifest, List<InstallRootItem> items, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var writer = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    await writer.WriteEntryAsync(Entry(TarEntryType.Directory, bundleDirectory + "/", 0x1ED), ct).ConfigureAwait(false);
                    var manifestEntry = Entry(TarEntryType.RegularFile, $"{bundleDirectory}/{BundleManifest.FileName}", 0x1A4);
                    manifestEntry.DataStream = new MemoryStream(BundleManifestJson.Serialize(manifest));
                    await writer.WriteEntryAsync(manifestEntry, ct).ConfigureAwait(false);
                    foreach (var item in items)
                    {
                        ct.ThrowIfCancellationRequested();
                        var entryName = $"{bundleDirectory}/{item.Relative}";
                        if (item.LinkTarget is not null)
                        {
                            var link = Entry(TarEntryType.SymbolicLink, entryName, 0x1FF);
                            link.LinkName = item.LinkTarget;
                            await writer.WriteEntryAsync(link, ct).ConfigureAwait(false);
                        }
                        else if (item.IsDirectory)
                        {
                            await writer.WriteEntryAsync(Entry(TarEntryType.Directory, entryName + "/", item.Mode), ct).ConfigureAwait(false);
                        }
                        else
                        {
                            var content = new FileStream(item.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                            await using (content.ConfigureAwait(false))
                            {
                                var entry = Entry(TarEntryType.RegularFile, entryName, item.Mode);
                                entry.DataStream = content;
                                await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }

            await file.FlushAsync(ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }

    private static GnuTarEntry Entry(TarEntryType type, string name, int mode)
    {
        // GNU format: no PAX headers (whose names carry a process id), long names via ././@LongLink. Access and
        // change times stay unset: they would differ between runs, and readers take those fields for a path prefix.
        var entry = new GnuTarEntry(type, name)
        {
            ModificationTime = EntryTime,
            Mode = (UnixFileMode)(mode & ModeMask),
            Uid = 0,
            Gid = 0,
            UserName = "root",
            GroupName = "root",
        };
        return entry;
    }

    private static List<InstallRootItem> Collect(string root)
    {
        var items = new List<InstallRootItem>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", options))
        {
            var relative = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            if (relative == BundleManifest.FileName)
            {
                throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, relative, "is reserved: the packer writes manifest.json itself; remove it from the install root");
            }

            if (info.LinkTarget is { } target)
            {
                if (BundlePaths.ResolveLinkTarget(relative, target) is null)
                {
                    throw new RuntimeBundleException(BundleRule.LinkEscapes, relative, $"is a symlink to '{target}', outside the install root; make it relative and inside the install root");
                }

                items.Add(new InstallRootItem(relative, info.FullName, false, target, ModeMask));
            }
            else
            {
                var mode = (int)info.UnixFileMode & ModeMask;
                items.Add(new InstallRootItem(relative, info.FullName, info is DirectoryInfo, null, mode));
            }
        }

        items.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        return items;
    }

    /// <summary>Refuses an install root that would pack into a bundle the consumer rejects, naming what is missing.</summary>
    private static void CheckRequiredPaths(List<InstallRootItem> items, string installRoot, string arch)
    {
        var byPath = items.ToDictionary(i => i.Relative, StringComparer.Ordinal);
        foreach (var binary in RequiredPayload.Binaries)
        {
            if (!byPath.TryGetValue(binary, out var item) || item.IsDirectory || item.LinkTarget is not null)
            {
                throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, binary, $"is required by the cluster image as a regular file (not a symlink) but '{installRoot}' has none");
            }
        }

        if (!byPath.TryGetValue(RequiredPayload.ConfigDirectory, out var config) || !config.IsDirectory)
        {
            throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, RequiredPayload.ConfigDirectory + "/", $"is required by the cluster image but '{installRoot}' has no such directory");
        }

        if (!byPath.TryGetValue(RequiredPayload.ConfigFile, out var configFile) || configFile.IsDirectory)
        {
            throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, RequiredPayload.ConfigFile, $"is required by the cluster image but '{installRoot}' has no such file");
        }

        if (!items.Any(i => !i.IsDirectory && RequiredPayload.IsContainerLibrary(i.Relative, arch) && ResolvesToFile(byPath, i)))
        {
            var pattern = RequiredPayload.LibraryPattern(arch);
            throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, pattern, $"matches nothing in '{installRoot}': the {arch} cluster image needs a libnvidia-container shared library");
        }
    }

    private static bool ResolvesToFile(Dictionary<string, InstallRootItem> byPath, InstallRootItem item)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            if (item.LinkTarget is null)
            {
                return !item.IsDirectory;
            }

            if (BundlePaths.ResolveLinkTarget(item.Relative, item.LinkTarget) is not { } next || !byPath.TryGetValue(next, out item!))
            {
                return false;
            }
        }

        return false;
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
        }
    }

    private static void CheckLabel(string? value, string what)
    {
        if (string.IsNullOrEmpty(value) || !LabelRegex().IsMatch(value))
        {
            throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, null, $"the bundle {what} '{value}' must start with a letter or digit and use only letters, digits, '.', '_', '+' and '-'");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelRegex();

    private sealed record InstallRootItem(string Relative, string FullPath, bool IsDirectory, string? LinkTarget, int Mode);
}
