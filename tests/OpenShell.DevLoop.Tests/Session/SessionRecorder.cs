using OpenShell.DevLoop.Session;

namespace OpenShell.DevLoop.Tests.Session;

/// <summary>Records every event a session publishes and lets a test wait for one.</summary>
internal sealed class SessionRecorder
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly List<SessionEvent> _seen = [];
    private readonly List<(Func<SessionEvent, bool> Match, TaskCompletionSource<SessionEvent> Done)> _waiters = [];

    public SessionRecorder(DevSession session) => session.Changed += OnEvent;

    public IReadOnlyList<SessionEvent> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>The events of type <typeparamref name="T"/> seen so far.</summary>
    public IReadOnlyList<T> OfType<T>() => [.. Seen.OfType<T>()];

    /// <summary>Waits for an event of type <typeparamref name="T"/>, seen already or to come, that matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null)
        where T : SessionEvent
    {
        var done = new TaskCompletionSource<SessionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool Matches(SessionEvent e) => e is T t && (match is null || match(t));
        lock (_gate)
        {
            if (_seen.FirstOrDefault(Matches) is { } already)
            {
                return (T)already;
            }

            _waiters.Add((Matches, done));
        }

        return (T)await done.Task.WaitAsync(Patience);
    }

    private void OnEvent(SessionEvent e)
    {
        lock (_gate)
        {
            _seen.Add(e);
            foreach (var waiter in _waiters.Where(w => w.Match(e)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(e);
            }
        }
    }
}
