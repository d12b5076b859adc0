using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Git;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// Takes the content identity of every component input without re-reading unchanged files: a file whose
/// stat data matches git's index (and is not "racily clean") keeps the index's blob id; only modified and
/// untracked files are hashed, and their ids are cached by stat data for the next scan. Not thread-safe.
/// </summary>
internal sealed class WorkingTreeScanner(IGitCli git)
{
    // File systems stamp times from a coarse clock; a file written this close to its hashing may carry
    // the same mtime as before its last write, so its cached id is not trusted. Sub-second stamps come from
    // the kernel's coarse clock (a few ms per tick); whole-second stamps may be up to 2 s coarse (FAT, HFS+).
    private static readonly TimeSpan s_racyWindow = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_racyWindowFine = TimeSpan.FromMilliseconds(100);

    private const int ParallelThreshold = 512;

    private readonly Dictionary<string, CachedBlob> _cache = new(StringComparer.Ordinal);

    // The index and HEAD as last seen, and what was derived from them: the same bytes give the same answers.
    private IndexView? _view;

    // The last whole scan's results, updated path by path from a watcher's changes; null forces a whole scan.
    private LastScan? _last;

    /// <summary>
    /// Scans the working tree of <paramref name="repository"/> for the inputs <paramref name="matcher"/> knows. With
    /// <paramref name="changedSince"/> (every path that changed since this scanner's last scan, as a watcher saw them) only
    /// those paths are looked at, when the last scan's results still hold: same matcher, same index file, same HEAD, and no
    /// path that is an existing folder. Otherwise, and without it, the whole tree is scanned.
    /// </summary>
    public async Task<WorkingTreeSnapshot> ScanAsync(GitRepository repository, ComponentMatcher matcher, IReadOnlyCollection<string>? changedSince, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(matcher);
        if (changedSince is not null && TryScanChanged(repository, matcher, changedSince) is { } quick)
        {
            return quick;
        }

        return await ScanAsync(repository, matcher, ct).ConfigureAwait(false);
    }

    /// <summary>Scans the whole working tree of <paramref name="repository"/> for the inputs <paramref name="matcher"/> knows.</summary>
    public async Task<WorkingTreeSnapshot> ScanAsync(GitRepository repository, ComponentMatcher matcher, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(matcher);
        _last = null;

        // Taken before the index is read: a write in between then shows as a different key on the next scan.
        var indexKey = IndexKey(repository);

        // The git processes run while the index is read and the files are checked; even starting one is not cheap.
        var untrackedTask = Task.Run(() => git.ListUntrackedAsync(repository, ct), ct);

        // A first scan (the one-shot CLI's only one) has no staged list to reuse: ask git now, beside the index parse.
        var earlyStaged = _view is null ? Task.Run(() => git.ListStagedAsync(repository, ct), ct) : null;
        var view = ReadIndex(repository, matcher);
        var inputs = view.Inputs;
        var stagedTask = view.Staged is { } known ? Task.FromResult(known.Changes) : earlyStaged ?? Task.Run(() => git.ListStagedAsync(repository, ct), ct);

        // Checking stat data is most of the work and touches no shared state: spread it over the cores.
        var checks = new TrackedCheck[inputs.Count];
        var indexWrittenUtc = view.WrittenUtc;
        if (inputs.Count >= ParallelThreshold)
        {
            Parallel.ForEach(
                System.Collections.Concurrent.Partitioner.Create(0, inputs.Count, Math.Max(256, inputs.Count / (4 * Environment.ProcessorCount))),
                new ParallelOptions { CancellationToken = ct },
                range =>
                {
                    using var folders = new FolderStatCursor(repository.Root);
                    for (var i = range.Item1; i < range.Item2; i++)
                    {
                        checks[i] = Check(repository.Root, inputs[i], indexWrittenUtc, folders);
                    }
                });
        }
        else
        {
            using var folders = new FolderStatCursor(repository.Root);
            for (var i = 0; i < inputs.Count; i++)
            {
                checks[i] = Check(repository.Root, inputs[i], indexWrittenUtc, folders);
            }
        }

        var hashed = 0;
        var blobs = new string?[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            blobs[i] = checks[i].Info is { } info ? HashWithCache(inputs[i].Path, info, ref hashed) : checks[i].BlobId;
        }

        var untrackedPaths = await untrackedTask.ConfigureAwait(false);
        var masks = matcher.Classify(untrackedPaths);
        var untracked = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var path in untrackedPaths)
        {
            untracked[path] = masks[path] != 0 ? HashUntracked(repository.Root, path, ref hashed) : null;
        }

        var staged = await stagedTask.ConfigureAwait(false);
        if (view.Staged is null && view.HeadState is not null)
        {
            _view = view with { Staged = new StagedList(staged) };
        }

        var scan = new LastScan(repository.Root, matcher, view, indexKey, blobs, untracked, staged);
        var snapshot = Build(scan, matcher, hashed);

        // Only a tree whose inputs come in ordinal order (nearly always) can be updated path by path later.
        _last = IsOrdinallySorted(inputs) ? scan : null;
        return snapshot;
    }

    // The update of the last scan for the paths a watcher saw change; null when only a whole scan can answer.
    private WorkingTreeSnapshot? TryScanChanged(GitRepository repository, ComponentMatcher matcher, IReadOnlyCollection<string> changed)
    {
        if (_last is not { } last || !ReferenceEquals(last.Matcher, matcher) || last.Root != repository.Root
            || IndexKey(repository) != last.IndexKey || GitHead.ReadState(repository) != last.View.HeadState || last.View.HeadState is null)
        {
            return null;
        }

        var inputs = last.View.Inputs;
        var hashed = 0;
        var newUntracked = new List<string>();
        foreach (var path in changed)
        {
            var full = Path.Combine(repository.Root, path);

            // One look at the path tells a file from a folder or nothing (most reported paths are files).
            var isFile = new FileInfo(full).Exists;
            if (Path.GetFileName(path) == ".gitignore" || (!isFile && Directory.Exists(full)))
            {
                // A folder moved in or made, or new ignore rules: what is untracked now needs git's own listing.
                _last = null;
                return null;
            }

            // The input itself, or every input under a folder that went away.
            var (start, end) = InputsAt(inputs, path);
            for (var i = start; i < end; i++)
            {
                var check = Check(repository.Root, inputs[i], last.View.WrittenUtc, null);
                var blob = check.Info is { } info ? HashWithCache(inputs[i].Path, info, ref hashed) : check.BlobId;
                if (blob != last.Blobs[i])
                {
                    // A new record only for new content: an unchanged record tells the fingerprints nothing changed.
                    last.Blobs[i] = blob;
                    last.Files[i] = null;
                }
            }

            var under = path + "/";
            foreach (var gone in last.Untracked.Keys.Where(u => u == path || u.StartsWith(under, StringComparison.Ordinal)).ToList())
            {
                last.Untracked.Remove(gone);
                last.ForgetUntracked(gone);
            }

            if (isFile && !last.View.IndexPaths.Contains(path))
            {
                newUntracked.Add(path);
            }
        }

        // The watcher reports only paths git does not ignore, as `git ls-files --others --exclude-standard` lists them.
        var masks = matcher.Classify(newUntracked);
        foreach (var path in newUntracked)
        {
            last.Untracked[path] = masks[path] != 0 ? HashUntracked(repository.Root, path, ref hashed) : null;
        }

        return Build(last, matcher, hashed);
    }

    // The snapshot of a scan's results: present inputs and untracked inputs in path order, and git's change set.
    private static WorkingTreeSnapshot Build(LastScan scan, ComponentMatcher matcher, int hashed)
    {
        var inputs = scan.View.Inputs;
        var inputMasks = scan.View.InputMasks;
        var tracked = new List<InputFile>(inputs.Count);
        var trackedMasks = new List<ulong>(inputs.Count);
        var changes = new List<ChangedPath>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var entry = inputs[i];
            var blob = scan.Blobs[i];
            if (blob is null)
            {
                changes.Add(new ChangedPath(entry.Path, ChangeKind.Deleted));
                continue;
            }

            // Unchanged inputs keep their record from the last build: an update path by path allocates per change only.
            var file = scan.Files[i] ??= new InputFile(entry.Path, blob);
            tracked.Add(file);
            trackedMasks.Add(inputMasks[i]);
            if (entry.Stage != 0)
            {
                changes.Add(new ChangedPath(entry.Path, ChangeKind.Conflicted));
            }
            else if (entry.IntentToAdd)
            {
                changes.Add(new ChangedPath(entry.Path, ChangeKind.Added));
            }
            else if (blob != entry.ObjectId)
            {
                changes.Add(new ChangedPath(entry.Path, ChangeKind.Modified));
            }
        }

        var untracked = new List<InputFile>();
        foreach (var (path, blob) in scan.Untracked)
        {
            changes.Add(new ChangedPath(path, ChangeKind.Untracked));
            if (blob is not null)
            {
                untracked.Add(scan.UntrackedFile(path, blob));
            }
        }

        if (scan.Staged is null)
        {
            // No commit yet: everything in the index is staged as new.
            changes.AddRange(scan.View.Index.Entries.Select(e => new ChangedPath(e.Path, ChangeKind.Added)));
        }
        else
        {
            changes.AddRange(scan.Staged.Select(s => new ChangedPath(s.Path, s.Status switch
            {
                'A' => ChangeKind.Added,
                'D' => ChangeKind.Deleted,
                'U' => ChangeKind.Conflicted,
                _ => ChangeKind.Modified,
            })));
        }

        // The working tree's view of a path comes first and wins over the staged one.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changeSet = changes.Where(c => seen.Add(c.Path)).OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
        var (files, masks) = Merge(tracked, trackedMasks, untracked, matcher);
        return new WorkingTreeSnapshot(files, changeSet, hashed) { FileMasks = masks };
    }

    // Two lists in ordinal path order, as one (an untracked path is never a tracked one), with each file's mask.
    private static (List<InputFile> Files, ulong[] Masks) Merge(List<InputFile> tracked, List<ulong> trackedMasks, List<InputFile> untracked, ComponentMatcher matcher)
    {
        if (untracked.Count == 0)
        {
            return (tracked, [.. trackedMasks]);
        }

        var merged = new List<InputFile>(tracked.Count + untracked.Count);
        var masks = new ulong[tracked.Count + untracked.Count];
        int t = 0, u = 0;
        while (t < tracked.Count || u < untracked.Count)
        {
            if (u == untracked.Count || (t < tracked.Count && string.CompareOrdinal(tracked[t].Path, untracked[u].Path) < 0))
            {
                masks[merged.Count] = trackedMasks[t];
                merged.Add(tracked[t++]);
            }
            else
            {
                masks[merged.Count] = matcher.MaskOf(untracked[u].Path);
                merged.Add(untracked[u++]);
            }
        }

        return (merged, masks);
    }

    // The range of inputs that are `path` or lie under it (inputs are in ordinal order).
    private static (int Start, int End) InputsAt(List<GitIndexEntry> inputs, string path)
    {
        var start = LowerBound(inputs, path);
        var end = start;
        var folder = path + "/";
        while (end < inputs.Count && (inputs[end].Path == path || inputs[end].Path.StartsWith(folder, StringComparison.Ordinal)))
        {
            end++;
        }

        return (start, end);
    }

    private static int LowerBound(List<GitIndexEntry> inputs, string path)
    {
        int low = 0, high = inputs.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (string.CompareOrdinal(inputs[middle].Path, path) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static bool IsOrdinallySorted(List<GitIndexEntry> inputs)
    {
        for (var i = 1; i < inputs.Count; i++)
        {
            if (string.CompareOrdinal(inputs[i - 1].Path, inputs[i].Path) > 0)
            {
                return false;
            }
        }

        return true;
    }

    // The index file as git last wrote it: git replaces it by a rename, so any write changes its stamp.
    private static (long Length, DateTime WrittenUtc) IndexKey(GitRepository repository)
    {
        var info = new FileInfo(repository.IndexPath);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, DateTime.MinValue);
    }

    // Parses the index and picks the component inputs, unless its bytes are those seen last time. The staged list
    // (index against HEAD) is reused too while HEAD resolves through the same files.
    private IndexView ReadIndex(GitRepository repository, ComponentMatcher matcher)
    {
        var (bytes, written) = GitIndex.ReadFile(repository);
        var head = GitHead.ReadState(repository);
        if (_view is { } last && ReferenceEquals(last.Matcher, matcher) && last.Root == repository.Root && bytes.AsSpan().SequenceEqual(last.Bytes))
        {
            _view = last with { WrittenUtc = written, HeadState = head, Staged = head is not null && head == last.HeadState ? last.Staged : null };
            return _view;
        }

        var index = bytes.Length == 0 ? GitIndex.Empty : GitIndex.Parse(bytes, repository.IndexPath, written);
        var masks = matcher.Classify(index.Entries.Select(e => e.Path));

        // A conflicted path has up to three entries; the working tree file is what counts.
        var inputs = new List<GitIndexEntry>(index.Entries.Count);
        var inputMasks = new List<ulong>(index.Entries.Count);
        string? previous = null;
        foreach (var entry in index.Entries)
        {
            if (entry.Path != previous && masks[entry.Path] is var mask && mask != 0)
            {
                inputs.Add(entry);
                inputMasks.Add(mask);
            }

            previous = entry.Path;
        }

        _view = new IndexView(repository.Root, bytes, written, head, matcher, index, inputs, inputMasks, null);
        return _view;
    }

    // What the working tree says about a tracked path: its blob id (from the index when stat data
    // shows it unchanged), null when it is gone, or the file to hash.
    private static TrackedCheck Check(string root, GitIndexEntry entry, DateTime indexWrittenUtc, FolderStatCursor? folders)
    {
        if (entry.IsGitlink || entry.SkipWorktree || entry.AssumeUnchanged)
        {
            return new TrackedCheck(entry.ObjectId, null);
        }

        // Nearly every file is unchanged: one statx, without a FileInfo, tells so.
        if (entry.Stage == 0 && !entry.IntentToAdd && (folders?.TryRead(entry.Path, out var stat) ?? FileStat.TryRead(Path.Combine(root, entry.Path), out stat))
            && stat.Kind == FileStatKind.File && StatMatches(entry, stat.Size, stat.LastWriteUtc, indexWrittenUtc))
        {
            return new TrackedCheck(entry.ObjectId, null);
        }

        var fullPath = Path.Combine(root, entry.Path);

        var info = new FileInfo(fullPath);
        if (!info.Exists)
        {
            // A dangling symbolic link is still a tracked link.
            return new TrackedCheck(entry.IsSymlink && info.LinkTarget is { } dangling ? GitBlobId.OfSymlink(dangling) : null, null);
        }

        // Only a symbolic link costs a readlink; git records its target text as the blob.
        if ((info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is { } target)
        {
            return new TrackedCheck(GitBlobId.OfSymlink(target), null);
        }

        return entry.Stage == 0 && !entry.IntentToAdd && StatMatches(entry, info.Length, info.LastWriteTimeUtc, indexWrittenUtc)
            ? new TrackedCheck(entry.ObjectId, null)
            : new TrackedCheck(null, info);
    }

    private string? HashUntracked(string root, string path, ref int hashed)
    {
        var info = new FileInfo(Path.Combine(root, path));
        if (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is { } target)
        {
            return GitBlobId.OfSymlink(target);
        }

        return info.Exists ? HashWithCache(path, info, ref hashed) : null;
    }

    private string? HashWithCache(string path, FileInfo info, ref int hashed)
    {
        var mtime = info.LastWriteTimeUtc;
        var size = info.Length;
        if (_cache.TryGetValue(path, out var cached) && cached.Size == size && cached.MtimeUtc == mtime && mtime < cached.HashedAtUtc - RacyWindow(mtime))
        {
            return cached.BlobId;
        }

        var hashedAt = DateTime.UtcNow;
        string blob;
        try
        {
            blob = GitBlobId.OfFile(info.FullName);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _cache.Remove(path);
            return null;
        }

        hashed++;
        info.Refresh();
        if (info.Exists && info.Length == size && info.LastWriteTimeUtc == mtime)
        {
            _cache[path] = new CachedBlob(size, mtime, hashedAt, blob);
        }
        else
        {
            // It changed while it was read: do not remember an id that may belong to neither version.
            _cache.Remove(path);
        }

        return blob;
    }

    // A stamp with a sub-second part shows a file system with fine timestamps.
    private static TimeSpan RacyWindow(DateTime mtime) =>
        mtime.Ticks % TimeSpan.TicksPerSecond != 0 ? s_racyWindowFine : s_racyWindow;

    // git's own test for "unchanged" (size and mtime), plus its racy-clean rule: a file modified no
    // earlier than the index was written may have changed within the same timestamp.
    private static bool StatMatches(GitIndexEntry entry, long length, DateTime mtime, DateTime indexWrittenUtc)
    {
        if ((uint)length != entry.Size)
        {
            return false;
        }

        if (mtime >= indexWrittenUtc)
        {
            return false;
        }

        var sinceEpoch = mtime.Ticks - DateTime.UnixEpoch.Ticks;
        if ((uint)(sinceEpoch / TimeSpan.TicksPerSecond) != entry.MtimeSeconds)
        {
            return false;
        }

        return entry.MtimeNanoseconds == 0 || sinceEpoch % TimeSpan.TicksPerSecond == entry.MtimeNanoseconds / 100;
    }

    private sealed record IndexView(
        string Root, byte[] Bytes, DateTime WrittenUtc, string? HeadState, ComponentMatcher Matcher, GitIndex Index, List<GitIndexEntry> Inputs, List<ulong> InputMasks,
        StagedList? Staged)
    {
        private HashSet<string>? _paths;

        // Every path in the index, for telling a new file from a tracked one (built on first use).
        public HashSet<string> IndexPaths => _paths ??= new HashSet<string>(Index.Entries.Select(e => e.Path), StringComparer.Ordinal);
    }

    // Blobs: per input, its blob id in the working tree (null: deleted). Untracked: path → blob id (null: not an input).
    private sealed record LastScan(
        string Root, ComponentMatcher Matcher, IndexView View, (long Length, DateTime WrittenUtc) IndexKey, string?[] Blobs,
        SortedDictionary<string, string?> Untracked, IReadOnlyList<StagedChange>? Staged)
    {
        private readonly Dictionary<string, InputFile> _untrackedFiles = new(StringComparer.Ordinal);

        // Per input, the record last built from Blobs (null: build it again).
        public InputFile?[] Files { get; } = new InputFile?[Blobs.Length];

        public void ForgetUntracked(string path) => _untrackedFiles.Remove(path);

        // The record of an untracked input, the same one while its content is.
        public InputFile UntrackedFile(string path, string blob)
        {
            if (!_untrackedFiles.TryGetValue(path, out var file) || file.BlobId != blob)
            {
                file = new InputFile(path, blob);
                _untrackedFiles[path] = file;
            }

            return file;
        }
    }

    // null Changes: HEAD has no commit yet.
    private sealed record StagedList(IReadOnlyList<StagedChange>? Changes);

    // Either a known blob id (null = deleted) or a file that must be hashed.
    private readonly record struct TrackedCheck(string? BlobId, FileInfo? Info);

    private sealed record CachedBlob(long Size, DateTime MtimeUtc, DateTime HashedAtUtc, string BlobId);
}
