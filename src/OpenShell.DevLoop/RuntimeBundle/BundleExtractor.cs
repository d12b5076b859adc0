using System.Buffers;
using System.Security.Cryptography;
using SharpCompress.Common;
using SharpCompress.Providers;
using SharpCompress.Providers.System;
using SharpCompress.Readers;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// The single streaming pass behind verify and stage: reads the tarball forward-only, checks every entry as it
/// comes, hashes payload files (writing them under a scratch folder when staging) and checks the manifest at the
/// end, whether it came first or last. Memory holds two copy buffers, the manifest and a record per entry.
/// </summary>
internal sealed class BundleExtractor
{
    private const int CopyBufferSize = 256 * 1024;

    // The native zlib in the runtime is several times faster than a managed inflater.
    private static readonly CompressionProviderRegistry Providers =
        CompressionProviderRegistry.Default.With(new SystemGZipCompressionProvider());

    private readonly string _tarballPath;
    private readonly string? _expectedArchitecture;
    private readonly BundleLimits _limits;
    private readonly string? _writeRoot;
    private readonly IProgress<BundleProgress>? _progress;

    private readonly BundlePayload _payload = new();
    private readonly List<(string Path, int Mode)> _directoryModes = [];
    private string? _bundleDirectory;
    private byte[]? _manifestBytes;
    private int _entryCount;
    private long _payloadBytes;

    /// <param name="writeRoot">The scratch folder to write into, or null to verify without writing anything.</param>
    public BundleExtractor(string tarballPath, string? expectedArchitecture, BundleLimits limits, string? writeRoot, IProgress<BundleProgress>? progress)
    {
        _tarballPath = tarballPath;
        _expectedArchitecture = expectedArchitecture;
        _limits = limits;
        _writeRoot = writeRoot;
        _progress = progress;
    }

    public async Task<VerifiedBundle> RunAsync(CancellationToken ct)
    {
        if (!File.Exists(_tarballPath))
        {
            throw new RuntimeBundleException(BundleRule.TarballNotFound, _tarballPath, $"tarball not found: {_tarballPath}");
        }

        var file = new FileStream(_tarballPath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
        await using (file.ConfigureAwait(false))
        {
            using var hashing = new HashingReadStream(file);
            var reader = await OpenAsync(hashing, ct).ConfigureAwait(false);
            try
            {
                await ReadEntriesAsync(reader, hashing, ct).ConfigureAwait(false);
            }
            finally
            {
                await DisposeReaderAsync(reader).ConfigureAwait(false);
            }

            // Drain what the reader left (end-of-archive blocks, gzip trailer) so the tarball hash covers every byte.
            await hashing.DrainAsync(ct).ConfigureAwait(false);
            var manifest = Validate();
            if (_writeRoot is not null)
            {
                FinishTree();
            }

            _progress?.Report(new BundleProgress(BundleOperation.Extract, null, hashing.BytesRead, file.Length));
            return new VerifiedBundle
            {
                Manifest = manifest,
                BundleDirectoryName = _bundleDirectory!,
                TarballSha256 = hashing.HashHex(),
            };
        }
    }

    private async Task<IAsyncReader> OpenAsync(Stream stream, CancellationToken ct)
    {
        IAsyncReader reader;
        try
        {
            reader = await ReaderFactory.OpenAsyncReader(stream, new ReaderOptions { LeaveStreamOpen = true, Providers = Providers }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsArchiveFailure(ex))
        {
            throw new RuntimeBundleException(BundleRule.NotATarball, null, $"'{_tarballPath}' is not a tar archive (plain, gzip or another compression SharpCompress reads): {ex.Message}", ex);
        }

        if (reader.Type != ArchiveType.Tar)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new RuntimeBundleException(BundleRule.NotATarball, null, $"'{_tarballPath}' is a {reader.Type} archive, not a tarball: pack the bundle with 'openshell-dev bundle pack'");
        }

        return reader;
    }

    /// <summary>Disposing reads on to the end of the current entry; on a broken archive that fails again, and the first error is the one to report.</summary>
    private static async Task DisposeReaderAsync(IAsyncReader reader)
    {
        try
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsArchiveFailure(ex))
        {
        }
    }

    private async Task ReadEntriesAsync(IAsyncReader reader, HashingReadStream source, CancellationToken ct)
    {
        var buffers = new[] { ArrayPool<byte>.Shared.Rent(CopyBufferSize), ArrayPool<byte>.Shared.Rent(CopyBufferSize) };
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                bool more;
                try
                {
                    more = await reader.MoveToNextEntryAsync(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsArchiveFailure(ex))
                {
                    throw Corrupt(null, ex);
                }

                if (!more)
                {
                    break;
                }

                await ProcessEntryAsync(reader, buffers, source, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }

        if (_bundleDirectory is null)
        {
            throw new RuntimeBundleException(BundleRule.TopLevelLayout, null, "expected a single top-level bundle directory");
        }
    }

    private async Task ProcessEntryAsync(IAsyncReader reader, byte[][] buffers, HashingReadStream source, CancellationToken ct)
    {
        var entry = reader.Entry;
        var rawName = entry.Key ?? string.Empty;
        if (++_entryCount > _limits.MaxEntries)
        {
            throw new RuntimeBundleException(BundleRule.EntryCountExceeded, rawName, $"is past the limit of {_limits.MaxEntries} archive entries (raise BundleLimits.MaxEntries if this bundle is trusted)");
        }

        if (BundlePaths.WhyUnsafe(rawName) is { } unsafeReason)
        {
            throw new RuntimeBundleException(BundleRule.UnsafePath, rawName, $"{unsafeReason}; every entry must be a relative path inside the bundle directory");
        }

        var kind = TarEntryKinds.Get(entry);
        if (kind is not (TarEntryKind.RegularFile or TarEntryKind.Directory or TarEntryKind.SymbolicLink or TarEntryKind.HardLink))
        {
            throw new RuntimeBundleException(BundleRule.UnsupportedEntryType, rawName, $"is {TarEntryKinds.Describe(kind)}; a bundle may hold only regular files, directories and links");
        }

        var name = BundlePaths.StripDotPrefix(rawName.TrimEnd('/'));
        if (name is null)
        {
            if (kind == TarEntryKind.Directory)
            {
                return;
            }

            throw new RuntimeBundleException(BundleRule.UnsafePath, rawName, "names the archive root but is not a directory");
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var top = slash < 0 ? name : name[..slash];
        if (_bundleDirectory is null)
        {
            _bundleDirectory = top;
        }
        else if (!string.Equals(top, _bundleDirectory, StringComparison.Ordinal))
        {
            throw new RuntimeBundleException(BundleRule.TopLevelLayout, rawName, "expected a single top-level bundle directory");
        }

        if (slash < 0)
        {
            if (kind == TarEntryKind.Directory)
            {
                return;
            }

            throw new RuntimeBundleException(BundleRule.TopLevelLayout, rawName, "expected a single top-level bundle directory");
        }

        var relative = name[(slash + 1)..];
        CheckPlacement(rawName, relative, kind);

        _payloadBytes += Math.Max(0, entry.Size);
        CheckSizeLimit(rawName);

        switch (kind)
        {
            case TarEntryKind.Directory:
                _payload.Add(relative, new PayloadEntry(TarEntryKind.Directory, 0, null, null, ModeOf(entry)));
                if (_writeRoot is not null)
                {
                    Directory.CreateDirectory(TargetPath(relative));
                    _directoryModes.Add((relative, ModeOf(entry)));
                }

                break;
            case TarEntryKind.SymbolicLink:
                AddSymlink(rawName, relative, entry.LinkTarget ?? string.Empty, ModeOf(entry));
                break;
            case TarEntryKind.HardLink:
                AddHardLink(rawName, relative, entry.LinkTarget ?? string.Empty);
                break;
            default:
                await CopyFileAsync(reader, rawName, relative, ModeOf(entry), buffers, ct).ConfigureAwait(false);
                break;
        }

        _progress?.Report(new BundleProgress(BundleOperation.Extract, rawName, source.BytesRead, source.Length));
    }

    private void CheckPlacement(string rawName, string relative, TarEntryKind kind)
    {
        if (_payload.TryGet(relative, out var existing))
        {
            // A directory may follow its children (until then it was only implied); a path seen twice is refused.
            throw new RuntimeBundleException(BundleRule.DuplicateEntry, rawName, $"appears more than once in the archive (first as {TarEntryKinds.Describe(existing.Kind)})");
        }

        if (kind != TarEntryKind.Directory && _payload.ImpliedDirectories.Contains(relative))
        {
            throw new RuntimeBundleException(BundleRule.DuplicateEntry, rawName, $"is {TarEntryKinds.Describe(kind)} but an earlier entry already uses this path as a directory");
        }

        for (var cut = relative.LastIndexOf('/'); cut > 0; cut = relative.LastIndexOf('/', cut - 1))
        {
            var ancestor = relative[..cut];
            if (_payload.TryGet(ancestor, out var parent) && parent.Kind != TarEntryKind.Directory)
            {
                throw new RuntimeBundleException(BundleRule.UnsafePath, rawName, $"lies under '{ancestor}', which is {TarEntryKinds.Describe(parent.Kind)}: writing through it could land outside the bundle directory");
            }

            if (!_payload.ImpliedDirectories.Add(ancestor))
            {
                break;
            }
        }

        if (relative == BundleManifest.FileName && kind != TarEntryKind.RegularFile)
        {
            throw new RuntimeBundleException(BundleRule.UnsupportedEntryType, rawName, $"is {TarEntryKinds.Describe(kind)}; manifest.json must be a regular file");
        }
    }

    private void AddSymlink(string rawName, string relative, string target, int mode)
    {
        if (BundlePaths.ResolveLinkTarget(relative, target) is null)
        {
            throw new RuntimeBundleException(BundleRule.LinkEscapes, rawName, $"is a symlink to '{target}', which points outside the bundle directory; links must be relative, stay inside it and use '..' only at the start");
        }

        _payload.Add(relative, new PayloadEntry(TarEntryKind.SymbolicLink, 0, null, target, mode));
    }

    private void AddHardLink(string rawName, string relative, string target)
    {
        var targetName = BundlePaths.StripDotPrefix(target.TrimEnd('/'));
        var prefix = _bundleDirectory + "/";
        if (targetName is null || BundlePaths.WhyUnsafe(target) is not null || !targetName.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new RuntimeBundleException(BundleRule.LinkEscapes, rawName, $"is a hardlink to '{target}', which is outside the bundle directory '{_bundleDirectory}'");
        }

        var targetRelative = targetName[prefix.Length..];
        if (!_payload.TryGet(targetRelative, out var linked) || linked.Kind != TarEntryKind.RegularFile)
        {
            throw new RuntimeBundleException(BundleRule.LinkEscapes, rawName, $"is a hardlink to '{target}', which is not an earlier regular file of the bundle");
        }

        _payloadBytes += linked.Size;
        CheckSizeLimit(rawName);
        _payload.Add(relative, linked);
        if (_writeRoot is not null)
        {
            // A copy rather than a link: the staged tree must not share inodes with anything else.
            File.Copy(TargetPath(targetRelative), TargetPath(relative));
        }
    }

    private async Task CopyFileAsync(IAsyncReader reader, string rawName, string relative, int mode, byte[][] buffers, CancellationToken ct)
    {
        var isManifest = relative == BundleManifest.FileName;
        if (isManifest && reader.Entry.Size > _limits.MaxManifestBytes)
        {
            throw new RuntimeBundleException(BundleRule.SizeLimitExceeded, rawName, $"is {reader.Entry.Size} bytes, over the {_limits.MaxManifestBytes}-byte limit for a manifest");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var manifestBuffer = isManifest ? new MemoryStream() : null;
        FileStream? output = null;
        if (_writeRoot is not null)
        {
            var path = TargetPath(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            output = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                BufferSize = 0,
                PreallocationSize = Math.Max(0, reader.Entry.Size),
            });
        }

        // Two buffers in turn: while one chunk is hashed and written on a worker, the next one is inflated, the way
        // `gzip -d | tar -x` splits the work over two cores.
        long size = 0;
        var pending = Task.CompletedTask;
        try
        {
            var input = await reader.OpenEntryStreamAsync(ct).ConfigureAwait(false);
            await using (input.ConfigureAwait(false))
            {
                var turn = 0;
                int read;
                while ((read = await input.ReadAsync(buffers[turn].AsMemory(0, CopyBufferSize), ct).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    var chunk = buffers[turn];
                    manifestBuffer?.Write(chunk, 0, read);
                    await pending.ConfigureAwait(false);
                    var count = read;
                    pending = Task.Run(() => Consume(hash, output, chunk, count, rawName), ct);
                    turn ^= 1;
                }

                await pending.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsArchiveFailure(ex))
        {
            // Also covers the entry stream's disposal, which reads on to the end of the entry.
            throw Corrupt(rawName, ex);
        }
        finally
        {
            await DrainQuietly(pending).ConfigureAwait(false);
            if (output is not null)
            {
                await output.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (size != reader.Entry.Size)
        {
            throw Corrupt(rawName, new EndOfStreamException($"the entry holds {size} of its {reader.Entry.Size} bytes"));
        }

        if (output is not null)
        {
            File.SetUnixFileMode(output.Name, (UnixFileMode)(mode & 0x1FF));
        }

        if (manifestBuffer is not null)
        {
            _manifestBytes = manifestBuffer.ToArray();
        }

        _payload.Add(relative, new PayloadEntry(TarEntryKind.RegularFile, size, Convert.ToHexStringLower(hash.GetHashAndReset()), null, mode));
    }

    private static void Consume(IncrementalHash hash, FileStream? output, byte[] chunk, int count, string rawName)
    {
        hash.AppendData(chunk, 0, count);
        if (output is null)
        {
            return;
        }

        try
        {
            output.Write(chunk, 0, count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeBundleException(BundleRule.StagingFailed, rawName, $"cannot write '{output.Name}' ({ex.Message}); nothing is left staged for this architecture", ex);
        }
    }

    /// <summary>Waits for an in-flight chunk before its file and hash are disposed; its error, if any, was already observed or is superseded.</summary>
    private static async Task DrainQuietly(Task pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RuntimeBundleException or OperationCanceledException or IOException)
        {
        }
    }

    private BundleManifest Validate()
    {
        if (_manifestBytes is null)
        {
            throw new RuntimeBundleException(BundleRule.ManifestMissing, $"{_bundleDirectory}/{BundleManifest.FileName}", "missing bundle manifest.json");
        }

        return BundleContract.Validate(_manifestBytes, _expectedArchitecture, _payload);
    }

    /// <summary>Creates the symlinks and applies directory modes once every file is in place.</summary>
    private void FinishTree()
    {
        foreach (var (path, seen) in _payload.Entries)
        {
            if (seen.Kind == TarEntryKind.SymbolicLink)
            {
                var linkPath = TargetPath(path);
                Directory.CreateDirectory(Path.GetDirectoryName(linkPath)!);
                File.CreateSymbolicLink(linkPath, seen.LinkTarget!);
            }
        }

        // Deepest first, so a read-only parent does not stop its children from being set. Only permission bits
        // are kept (no setuid, setgid or sticky), and the owner keeps full access so the tree can be replaced.
        foreach (var (path, mode) in _directoryModes.OrderByDescending(d => d.Path.Length))
        {
            File.SetUnixFileMode(TargetPath(path), (UnixFileMode)((mode & 0x1FF) | 0x1C0));
        }
    }

    private void CheckSizeLimit(string rawName)
    {
        if (_payloadBytes > _limits.MaxPayloadBytes)
        {
            throw new RuntimeBundleException(BundleRule.SizeLimitExceeded, rawName, $"brings the payload over the {_limits.MaxPayloadBytes}-byte limit (raise BundleLimits.MaxPayloadBytes if this bundle is trusted)");
        }
    }

    private string TargetPath(string relative) => Path.Combine(_writeRoot!, _bundleDirectory!, relative);

    private static int ModeOf(IEntry entry) => entry is SharpCompress.Common.Tar.TarEntry tar ? (int)(tar.Mode & 0xFFF) : 0x1A4;

    private RuntimeBundleException Corrupt(string? entry, Exception inner)
        => new(
            BundleRule.CorruptArchive,
            entry,
            entry is null
                ? $"the archive '{Path.GetFileName(_tarballPath)}' is truncated or corrupt ({inner.Message}); download it again"
                : $"is cut short: the archive '{Path.GetFileName(_tarballPath)}' is truncated or corrupt ({inner.Message}); download it again",
            inner);

    private static bool IsArchiveFailure(Exception ex)
        => ex is SharpCompressException or InvalidDataException or EndOfStreamException or InvalidOperationException or ArgumentException or FormatException or OverflowException or NotSupportedException or IOException;
}
