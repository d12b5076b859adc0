using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>Records what a repository watcher reports, after passing it on to <paramref name="next"/> if given.</summary>
internal sealed class RecordingSink(ITreeChangeSink? next = null) : ITreeChangeSink
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly Lock _gate = new();
    private readonly List<object> _log = [];
    private readonly List<(Func<object, bool> Match, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<TreeChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _log.OfType<TreeChange>()];
            }
        }
    }

    public IReadOnlyList<string> AllPaths => [.. Changes.SelectMany(c => c.Paths)];

    public IReadOnlyList<string> Losses
    {
        get
        {
            lock (_gate)
            {
                return [.. _log.OfType<Lost>().Select(l => l.Reason)];
            }
        }
    }

    public int Restores
    {
        get
        {
            lock (_gate)
            {
                return _log.OfType<Restored>().Count();
            }
        }
    }

    public void OnTreeChanged(TreeChange change)
    {
        next?.OnTreeChanged(change);
        Record(change);
    }

    public void OnWatchLost(string reason)
    {
        next?.OnWatchLost(reason);
        Record(new Lost(reason));
    }

    public void OnWatchRestored()
    {
        next?.OnWatchRestored();
        Record(new Restored());
    }

    public Task WaitForPathAsync(string path) => WaitAsync(e => e is TreeChange c && c.Paths.Contains(path));

    public Task WaitForGitActivityAsync() => WaitAsync(e => e is TreeChange { GitActivity: true });

    public Task WaitForLossAsync() => WaitAsync(e => e is Lost);

    public Task WaitForRestoreAsync() => WaitAsync(e => e is Restored);

    private async Task WaitAsync(Func<object, bool> match)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_log.Any(match))
            {
                return;
            }

            _waiters.Add((match, done));
        }

        await done.Task.WaitAsync(Patience);
    }

    private void Record(object entry)
    {
        lock (_gate)
        {
            _log.Add(entry);
            foreach (var waiter in _waiters.Where(w => w.Match(entry)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    private sealed record Lost(string Reason);

    private sealed record Restored;
}
