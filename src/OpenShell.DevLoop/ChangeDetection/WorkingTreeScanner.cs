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

    /// <summary>Scans the working tree of <paramref name="repository"/> for the inputs <paramref name="matcher"/> knows.</summary>
    public async Task<WorkingTreeSnapshot> ScanAsync(GitRepository repository, ComponentMatcher matcher, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(matcher);

        // The git processes run while the index is read and the files are checked.
        var untrackedTask = git.ListUntrackedAsync(repository, ct);
        var view = ReadIndex(repository, matcher);
        var index = view.Index;
        var inputs = view.Inputs;
        var stagedTask = view.Staged is { } known ? Task.FromResult(known.Changes) : git.ListStagedAsync(repository, ct);

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
                    for (var i = range.Item1; i < range.Item2; i++)
                    {
                        checks[i] = Check(repository.Root, inputs[i], indexWrittenUtc);
                    }
                });
        }
        else
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                checks[i] = Check(repository.Root, inputs[i], indexWrittenUtc);
            }
        }

        var files = new List<InputFile>(inputs.Count);
        var changes = new List<ChangedPath>();
        var hashed = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var entry = inputs[i];
            var check = checks[i];
            var blob = check.Info is { } info ? HashWithCache(entry.Path, info, ref hashed) : check.BlobId;
            if (blob is null)
            {
                changes.Add(new ChangedPath(entry.Path, ChangeKind.Deleted));
                continue;
            }

            files.Add(new InputFile(entry.Path, blob));
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

        var untracked = await untrackedTask.ConfigureAwait(false);
        var masks = matcher.Classify(untracked);
        foreach (var path in untracked)
        {
            changes.Add(new ChangedPath(path, ChangeKind.Untracked));
            if (masks[path] != 0 && HashUntracked(repository.Root, path, ref hashed) is { } blob)
            {
                files.Add(new InputFile(path, blob));
            }
        }

        var staged = await stagedTask.ConfigureAwait(false);
        if (view.Staged is null && view.HeadState is not null)
        {
            _view = view with { Staged = new StagedList(staged) };
        }
        if (staged is null)
        {
            // No commit yet: everything in the index is staged as new.
            changes.AddRange(index.Entries.Select(e => new ChangedPath(e.Path, ChangeKind.Added)));
        }
        else
        {
            changes.AddRange(staged.Select(s => new ChangedPath(s.Path, s.Status switch
            {
                'A' => ChangeKind.Added,
                'D' => ChangeKind.Deleted,
                'U' => ChangeKind.Conflicted,
                _ => ChangeKind.Modified,
            })));
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

        // The working tree's view of a path comes first and wins over the staged one.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changeSet = changes.Where(c => seen.Add(c.Path)).OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
        return new WorkingTreeSnapshot(files, changeSet, hashed);
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
        string? previous = null;
        foreach (var entry in index.Entries)
        {
            if (entry.Path != previous && masks[entry.Path] != 0)
            {
                inputs.Add(entry);
            }

            previous = entry.Path;
        }

        _view = new IndexView(repository.Root, bytes, written, head, matcher, index, inputs, null);
        return _view;
    }

    // What the working tree says about a tracked path: its blob id (from the index when stat data
    // shows it unchanged), null when it is gone, or the file to hash.
    private static TrackedCheck Check(string root, GitIndexEntry entry, DateTime indexWrittenUtc)
    {
        if (entry.IsGitlink || entry.SkipWorktree || entry.AssumeUnchanged)
        {
            return new TrackedCheck(entry.ObjectId, null);
        }

        var info = new FileInfo(Path.Combine(root, entry.Path));
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

        return entry.Stage == 0 && !entry.IntentToAdd && StatMatches(entry, info, indexWrittenUtc)
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
    private static bool StatMatches(GitIndexEntry entry, FileInfo info, DateTime indexWrittenUtc)
    {
        if ((uint)info.Length != entry.Size)
        {
            return false;
        }

        var mtime = info.LastWriteTimeUtc;
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
        string Root, byte[] Bytes, DateTime WrittenUtc, string? HeadState, ComponentMatcher Matcher, GitIndex Index, List<GitIndexEntry> Inputs, StagedList? Staged);

    // null Changes: HEAD has no commit yet.
    private sealed record StagedList(IReadOnlyList<StagedChange>? Changes);

    // Either a known blob id (null = deleted) or a file that must be hashed.
    private readonly record struct TrackedCheck(string? BlobId, FileInfo? Info);

    private sealed record CachedBlob(long Size, DateTime MtimeUtc, DateTime HashedAtUtc, string BlobId);
}
