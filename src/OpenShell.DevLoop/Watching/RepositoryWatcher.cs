using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenShell.DevLoop.Watching;

/// <summary>
/// Watches a git working tree with inotify (through <see cref="FileSystemWatcher"/>, recursive, no polling)
/// and tells a sink when the tree may have changed. Our own outputs, the components' excludes and files
/// git ignores are left out; git's own files are reported as git activity. A lost watch is reported,
/// treated as "anything may have changed", and re-armed.
/// </summary>
internal sealed partial class RepositoryWatcher : IDisposable
{
    // The largest buffer the platform accepts; bursts such as a checkout should not overflow it.
    private const int BufferSize = 64 * 1024;

    private readonly RepositoryWatcherOptions _options;
    private readonly ITreeChangeSink _sink;
    private readonly IGitIgnoreFilter _ignore;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, FileSystemWatcher> _createWatcher;
    private readonly Channel<RawEvent> _events = Channel.CreateUnbounded<RawEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly string _root;
    private readonly string _gitDirectory;
    private readonly bool _gitDirectoryOutsideRoot;

    private List<FileSystemWatcher> _watchers = [];
    private ITimer? _rearmTimer;
    private TimeSpan _rearmDelay;
    private string? _reportedLoss;
    private Task? _processing;
    private long _eventsReceived;
    private long _signalsSent;
    private bool _disposed;

    /// <summary>Creates a watcher; call <see cref="Start"/> to arm it.</summary>
    public RepositoryWatcher(
        RepositoryWatcherOptions options,
        ITreeChangeSink sink,
        IGitIgnoreFilter? ignore = null,
        TimeProvider? time = null,
        ILogger? logger = null,
        Func<string, FileSystemWatcher>? createWatcher = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        if (!Directory.Exists(options.RepositoryRoot))
        {
            throw new DirectoryNotFoundException($"The repository to watch does not exist: {options.RepositoryRoot}. Point the watcher at the working tree's root.");
        }

        _options = options;
        _sink = sink;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.RepositoryRoot));
        _gitDirectory = Path.TrimEndingDirectorySeparator(options.ResolveGitDirectory());
        _gitDirectoryOutsideRoot = !_gitDirectory.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        _ignore = ignore ?? new GitCheckIgnore(_root);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _createWatcher = createWatcher ?? (path => new FileSystemWatcher(path));
        _rearmDelay = options.RearmDelay;
    }

    /// <summary>The git directory whose activity is reported.</summary>
    public string GitDirectory => _gitDirectory;

    /// <summary>Raw file events received, before filtering.</summary>
    public long EventsReceived => Interlocked.Read(ref _eventsReceived);

    /// <summary>Change signals sent to the sink after filtering.</summary>
    public long SignalsSent => Interlocked.Read(ref _signalsSent);

    /// <summary>Arms the watch. A failure (such as the inotify limit) is reported to the sink and retried.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_processing is not null)
            {
                throw new InvalidOperationException("The repository watcher is already started.");
            }

            _processing = Task.Run(ProcessAsync);
        }

        if (TryArm() is { } error)
        {
            ReportLoss(error);
            ScheduleRearm();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        List<FileSystemWatcher> watchers;
        Task? processing;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            watchers = _watchers;
            _watchers = [];
            _rearmTimer?.Dispose();
            processing = _processing;
        }

        foreach (var watcher in watchers)
        {
            watcher.Dispose();
        }

        _events.Writer.TryComplete();
        _stopping.Cancel();

        // The batch in flight may still hold the token; release it once processing has ended.
        if (processing is null)
        {
            _stopping.Dispose();
        }
        else
        {
            processing.ContinueWith(_ => _stopping.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Returns null when armed, else the reason it could not be.
    private string? TryArm()
    {
        var created = new List<FileSystemWatcher>();
        try
        {
            created.Add(Create(_root, fromGitDirectory: false));
            if (_gitDirectoryOutsideRoot && Directory.Exists(_gitDirectory))
            {
                created.Add(Create(_gitDirectory, fromGitDirectory: true));
            }

            foreach (var watcher in created)
            {
                watcher.EnableRaisingEvents = true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            foreach (var watcher in created)
            {
                watcher.Dispose();
            }

            return Describe(ex);
        }

        lock (_gate)
        {
            if (_disposed)
            {
                foreach (var watcher in created)
                {
                    watcher.Dispose();
                }

                return null;
            }

            _watchers = created;
        }

        return null;
    }

    private FileSystemWatcher Create(string path, bool fromGitDirectory)
    {
        var watcher = _createWatcher(path);
        watcher.IncludeSubdirectories = true;
        watcher.InternalBufferSize = BufferSize;
        watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size;
        watcher.Changed += (_, e) => Enqueue(fromGitDirectory, e.FullPath, mayBeNew: false);
        watcher.Created += (_, e) => Enqueue(fromGitDirectory, e.FullPath, mayBeNew: true);
        watcher.Deleted += (_, e) => Enqueue(fromGitDirectory, e.FullPath, mayBeNew: false);
        watcher.Renamed += (_, e) =>
        {
            Enqueue(fromGitDirectory, e.OldFullPath, mayBeNew: false);
            Enqueue(fromGitDirectory, e.FullPath, mayBeNew: true);
        };
        watcher.Error += (sender, e) => OnWatcherError((FileSystemWatcher)sender, e.GetException());
        return watcher;
    }

    // Runs on the watcher's thread: no I/O here, just queue.
    private void Enqueue(bool fromGitDirectory, string fullPath, bool mayBeNew)
    {
        Interlocked.Increment(ref _eventsReceived);
        _events.Writer.TryWrite(new RawEvent(fromGitDirectory, fullPath, mayBeNew));
    }

    private void OnWatcherError(FileSystemWatcher failed, Exception error)
    {
        List<FileSystemWatcher> lost;
        lock (_gate)
        {
            if (_disposed || !_watchers.Contains(failed))
            {
                return;
            }

            lost = _watchers;
            _watchers = [];
        }

        // Not disposed on its own event thread.
        _ = Task.Run(() => lost.ForEach(w => w.Dispose()));
        ReportLoss(Describe(error));
        ScheduleRearm();
    }

    private void ScheduleRearm()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _rearmTimer?.Dispose();
            _rearmTimer = _time.CreateTimer(_ => Rearm(), null, _rearmDelay, Timeout.InfiniteTimeSpan);
            var doubled = _rearmDelay * 2;
            _rearmDelay = doubled < _options.MaxRearmDelay ? doubled : _options.MaxRearmDelay;
        }
    }

    private void Rearm()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
        }

        if (TryArm() is { } error)
        {
            ReportLoss(error);
            ScheduleRearm();
            return;
        }

        lock (_gate)
        {
            _rearmDelay = _options.RearmDelay;
            _reportedLoss = null;
        }

        Log.WatchRestored(_logger, _root);
        _sink.OnWatchRestored();
    }

    private void ReportLoss(string reason)
    {
        Log.WatchLost(_logger, _root, reason);
        lock (_gate)
        {
            // Retries that fail the same way are logged, not re-reported: each report asks for a rescan.
            if (_reportedLoss == reason)
            {
                return;
            }

            _reportedLoss = reason;
        }

        _sink.OnWatchLost(reason);
    }

    private static string Describe(Exception error) => error switch
    {
        InternalBufferOverflowException => "too many file events at once: the event queue overflowed and some events were lost",
        IOException io when io.Message.Contains("inotify", StringComparison.OrdinalIgnoreCase) =>
            $"{io.Message} Raise the limits, e.g. sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 (persist them in /etc/sysctl.d/)",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    private async Task ProcessAsync()
    {
        var reader = _events.Reader;
        var ct = _stopping.Token;
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await ProcessBatchAsync(reader, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A bad batch must not end the watch: report it and rescan instead.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.BatchFailed(_logger, ex);
                    _sink.OnTreeChanged(TreeChange.FullRescan);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting.
        }
    }

    private async Task ProcessBatchAsync(ChannelReader<RawEvent> reader, CancellationToken ct)
    {
        // Everything queued so far is one batch: one signal, at most two git calls.
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var newFolders = new List<string>();
        var gitActivity = false;
        while (reader.TryRead(out var raw))
        {
            switch (Classify(raw, out var relative))
            {
                case WatchedPathKind.GitOperation:
                    gitActivity = true;
                    break;
                case WatchedPathKind.WorkingTree when !_options.IsExcluded(relative):
                    paths.Add(relative);
                    if (raw.MayBeNew && Directory.Exists(raw.FullPath))
                    {
                        newFolders.Add(relative);
                    }

                    break;
                default:
                    break;
            }
        }

        if (paths.Count > 0)
        {
            await RemoveGitIgnoredAsync(paths, ct).ConfigureAwait(false);
        }

        if (newFolders.Count > 0)
        {
            await AddFilesOfNewFoldersAsync(newFolders, paths, ct).ConfigureAwait(false);
        }

        if (paths.Count > 0 || gitActivity)
        {
            Interlocked.Increment(ref _signalsSent);
            _sink.OnTreeChanged(new TreeChange(paths, gitActivity));
        }
    }

    // Files written into a new folder before inotify watched it raise no event of their own: list them.
    private async Task AddFilesOfNewFoldersAsync(List<string> newFolders, HashSet<string> paths, CancellationToken ct)
    {
        var listed = new List<string>();
        var found = new HashSet<string>(StringComparer.Ordinal);
        newFolders.Sort(StringComparer.Ordinal);
        foreach (var folder in newFolders)
        {
            // A folder is not a change in itself: its files are. Ignored folders were removed already and stay
            // unlisted; a folder under one listed already is covered by it.
            if (!paths.Remove(folder) || listed.Any(l => folder.StartsWith(l + "/", StringComparison.Ordinal)))
            {
                continue;
            }

            listed.Add(folder);
            AddFilesUnder(Path.Combine(_root, folder), found);
        }

        found.ExceptWith(paths);
        if (found.Count > 0)
        {
            await RemoveGitIgnoredAsync(found, ct).ConfigureAwait(false);
            paths.UnionWith(found);
        }
    }

    private void AddFilesUnder(string folder, HashSet<string> paths)
    {
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
            {
                var relative = ToRelative(_root, entry);
                if (WatchedPaths.ClassifyTreePath(relative) != WatchedPathKind.WorkingTree || _options.IsExcluded(relative))
                {
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    AddFilesUnder(entry, paths);
                }
                else
                {
                    paths.Add(relative);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone again, or unreadable: the folder's own events tell the rest.
        }
    }

    private static string ToRelative(string basePath, string fullPath) =>
        Path.GetRelativePath(basePath, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    private WatchedPathKind Classify(RawEvent raw, out string relative)
    {
        var basePath = raw.FromGitDirectory ? _gitDirectory : _root;
        relative = ToRelative(basePath, raw.FullPath);
        return raw.FromGitDirectory ? WatchedPaths.ClassifyGitPath(relative) : WatchedPaths.ClassifyTreePath(relative);
    }

    private async Task RemoveGitIgnoredAsync(HashSet<string> paths, CancellationToken ct)
    {
        try
        {
            paths.ExceptWith(await _ignore.IgnoredAsync(paths, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Better a needless plan than a missed change: keep every path.
            Log.IgnoreCheckFailed(_logger, ex.Message);
        }
    }

    private readonly record struct RawEvent(bool FromGitDirectory, string FullPath, bool MayBeNew);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Watching {Root} lost events: {Reason}")]
        public static partial void WatchLost(ILogger logger, string root, string reason);

        [LoggerMessage(2, LogLevel.Information, "Watching {Root} again")]
        public static partial void WatchRestored(ILogger logger, string root);

        [LoggerMessage(4, LogLevel.Error, "Handling file events failed; rescanning the whole tree")]
        public static partial void BatchFailed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Could not ask git which files it ignores, counting every changed path: {Reason}")]
        public static partial void IgnoreCheckFailed(ILogger logger, string reason);
    }
}
