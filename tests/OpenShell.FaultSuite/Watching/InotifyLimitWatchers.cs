namespace OpenShell.FaultSuite.Watching;

/// <summary>
/// The repository watcher's <see cref="FileSystemWatcher"/> factory with the inotify watch limit simulated: <see cref="Exhaust"/>
/// raises on the live watchers the error .NET raises when a watch cannot be added, and makes the next re-arms fail as
/// creating a watcher then fails, with .NET's own message.
/// </summary>
internal sealed class InotifyLimitWatchers
{
    /// <summary>.NET's message when <c>fs.inotify.max_user_watches</c> is reached.</summary>
    public const string LimitMessage =
        "The configured user limit (8192) on the number of inotify watches has been reached, or the operating system failed to allocate a required resource.";

    private readonly Lock _gate = new();
    private readonly List<LimitedWatcher> _live = [];
    private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failures;

    /// <summary>How many re-arms were refused.</summary>
    public int Refused { get; private set; }

    /// <summary>Completes once a re-arm was refused: the old watches are gone and nothing watches the tree.</summary>
    public Task FirstRefusal => _refused.Task;

    /// <summary>The factory to hand the repository watcher.</summary>
    public FileSystemWatcher Create(string path)
    {
        lock (_gate)
        {
            if (_failures > 0)
            {
                _failures--;
                Refused++;
                _refused.TrySetResult();
                throw new IOException(LimitMessage);
            }

            var watcher = new LimitedWatcher(path);
            _live.Add(watcher);
            return watcher;
        }
    }

    /// <summary>The limit is reached: the live watches fail, and the next <paramref name="refusedRearms"/> re-arms are refused.</summary>
    public void Exhaust(int refusedRearms)
    {
        List<LimitedWatcher> live;
        lock (_gate)
        {
            _failures = refusedRearms;
            live = [.. _live];
            _live.Clear();
        }

        foreach (var watcher in live)
        {
            watcher.Fail(new IOException(LimitMessage));
        }
    }

    private sealed class LimitedWatcher(string path) : FileSystemWatcher(path)
    {
        public void Fail(Exception error) => OnError(new ErrorEventArgs(error));
    }
}
