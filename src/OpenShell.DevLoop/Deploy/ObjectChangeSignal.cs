using k8s;
using k8s.Autorest;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Wakes a wait loop as soon as a Kubernetes watch reports a change, so a rollout or a helm job is seen when it happens
/// rather than at the loop's next poll. The loop still reads the objects itself: the watch only shortens its waits, and a
/// watch that cannot start, fails or ends leaves the loop polling at its own interval.
/// </summary>
internal sealed class ObjectChangeSignal : IDisposable
{
    /// <summary>How long a loop with a live watch waits without an event before it reads anyway.</summary>
    public static readonly TimeSpan WatchedPoll = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _changed = new(0);
    private readonly TimeSpan _watchedPoll;
    private int _pending;
    private volatile bool _watching;
    private IDisposable? _watcher;

    private ObjectChangeSignal(TimeSpan watchedPoll) => _watchedPoll = watchedPoll;

    /// <summary>True while the watch runs.</summary>
    public bool Watching => _watching;

    /// <summary>
    /// Starts watching with <paramref name="watch"/>, which starts a watcher (e.g. <c>WatchListNamespacedStatefulSet</c>)
    /// with the event, error and close callbacks it is given.
    /// </summary>
    public static ObjectChangeSignal Start<T>(Func<Action<WatchEventType, T>, Action<Exception>, Action, IDisposable> watch, TimeSpan? watchedPoll = null)
    {
        ArgumentNullException.ThrowIfNull(watch);
        var signal = new ObjectChangeSignal(watchedPoll ?? WatchedPoll);
        try
        {
            signal._watching = true;
            signal._watcher = watch((_, _) => signal.Changed(), _ => signal.Lost(), signal.Lost);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or InvalidOperationException)
        {
            signal.Lost();
        }

        return signal;
    }

    /// <summary>
    /// Waits until the watch reports a change, or <paramref name="poll"/> passes without a watch (a longer interval with one).
    /// </summary>
    public async Task WaitAsync(TimeSpan poll, CancellationToken ct)
    {
        await _changed.WaitAsync(_watching ? _watchedPoll : poll, ct).ConfigureAwait(false);
        // Cleared before the caller reads: a change after this wakes the next wait.
        Interlocked.Exchange(ref _pending, 0);
    }

    public void Dispose()
    {
        _watching = false;
        _watcher?.Dispose();
        _changed.Dispose();
    }

    private void Changed()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (ObjectDisposedException)
            {
                // An event after the wait ended.
            }
        }
    }

    // The loop goes back to its own interval, and wakes now to read what the watch may have missed.
    private void Lost()
    {
        _watching = false;
        Changed();
    }
}
