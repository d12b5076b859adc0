using System.Formats.Tar;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// Writes a Docker build context as a tar stream with explicit modes and fixed owner and time, so the same inputs give
/// the same context (and the builder's layer cache hits) and executables keep mode 755 without <c>COPY --chmod</c>.
/// </summary>
internal sealed class BuildContextWriter : IAsyncDisposable
{
    /// <summary>rwxr-xr-x.</summary>
    public const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>rw-r--r--.</summary>
    public const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static readonly DateTimeOffset s_fixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TarWriter _tar;
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    public BuildContextWriter(Stream output) => _tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);

    /// <summary>Adds a file from disk under <paramref name="name"/>.</summary>
    public async Task AddFileAsync(string name, string sourcePath, UnixFileMode mode, CancellationToken ct = default)
    {
        await EnsureParentsAsync(name, ct).ConfigureAwait(false);
        var stream = File.OpenRead(sourcePath);
        await using (stream.ConfigureAwait(false))
        {
            var entry = NewEntry(TarEntryType.RegularFile, name, mode);
            entry.DataStream = stream;
            await _tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Adds in-memory content under <paramref name="name"/>.</summary>
    public async Task AddBytesAsync(string name, byte[] content, UnixFileMode mode, CancellationToken ct = default)
    {
        await EnsureParentsAsync(name, ct).ConfigureAwait(false);
        var entry = NewEntry(TarEntryType.RegularFile, name, mode);
        entry.DataStream = new MemoryStream(content, writable: false);
        await _tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
    }

    /// <summary>Adds an empty directory (so a COPY of it succeeds even when nothing is in it).</summary>
    public Task AddDirectoryAsync(string name, CancellationToken ct = default) => EnsureDirectoryAsync(name.TrimEnd('/'), ct);

    /// <summary>
    /// Adds a folder tree under <paramref name="prefix"/>, keeping executable bits and relative symbolic links,
    /// in sorted order. <paramref name="exclude"/> names top-level entries to leave out.
    /// </summary>
    public async Task AddTreeAsync(string prefix, string sourceDirectory, IReadOnlySet<string>? exclude = null, CancellationToken ct = default)
    {
        await EnsureDirectoryAsync(prefix, ct).ConfigureAwait(false);
        var entries = new DirectoryInfo(sourceDirectory).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(info => (Info: info, Relative: Path.GetRelativePath(sourceDirectory, info.FullName).Replace('\\', '/')))
            .Where(e => exclude is null || !exclude.Contains(e.Relative.Split('/')[0]))
            .OrderBy(e => e.Relative, StringComparer.Ordinal);
        foreach (var (info, relative) in entries)
        {
            var name = $"{prefix}/{relative}";
            if (info.LinkTarget is { } target)
            {
                await EnsureParentsAsync(name, ct).ConfigureAwait(false);
                var link = NewEntry(TarEntryType.SymbolicLink, name, Executable);
                link.LinkName = target;
                await _tar.WriteEntryAsync(link, ct).ConfigureAwait(false);
            }
            else if (info is DirectoryInfo)
            {
                await EnsureDirectoryAsync(name, ct).ConfigureAwait(false);
            }
            else
            {
                var mode = (File.GetUnixFileMode(info.FullName) & UnixFileMode.UserExecute) != 0 ? Executable : Regular;
                await AddFileAsync(name, info.FullName, mode, ct).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync() => await _tar.DisposeAsync().ConfigureAwait(false);

    private async Task EnsureParentsAsync(string name, CancellationToken ct)
    {
        var slash = name.LastIndexOf('/');
        if (slash > 0)
        {
            await EnsureDirectoryAsync(name[..slash], ct).ConfigureAwait(false);
        }
    }

    private async Task EnsureDirectoryAsync(string name, CancellationToken ct)
    {
        if (name.Length == 0 || _directories.Contains(name))
        {
            return;
        }

        await EnsureParentsAsync(name, ct).ConfigureAwait(false);
        _directories.Add(name);
        await _tar.WriteEntryAsync(NewEntry(TarEntryType.Directory, name + "/", Executable), ct).ConfigureAwait(false);
    }

    private static PaxTarEntry NewEntry(TarEntryType type, string name, UnixFileMode mode) => new(type, name)
    {
        Mode = mode,
        Uid = 0,
        Gid = 0,
        ModificationTime = s_fixedTime,
    };
}
