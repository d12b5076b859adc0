using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>Records every status a deploy loop publishes and lets a test wait for one.</summary>
internal sealed class StatusRecorder
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly List<DeployLoopStatus> _seen = [];
    private readonly List<(Func<DeployLoopStatus, bool> Match, TaskCompletionSource<DeployLoopStatus> Done)> _waiters = [];

    public StatusRecorder(DeployLoop loop) => loop.StatusChanged += OnStatus;

    public IReadOnlyList<DeployLoopStatus> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Waits for a status, published from now on, that matches.</summary>
    public async Task<DeployLoopStatus> WaitForAsync(Func<DeployLoopStatus, bool> match)
    {
        var done = new TaskCompletionSource<DeployLoopStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((match, done));
        }

        return await done.Task.WaitAsync(Patience);
    }

    private void OnStatus(DeployLoopStatus status)
    {
        lock (_gate)
        {
            _seen.Add(status);
            foreach (var waiter in _waiters.Where(w => w.Match(status)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(status);
            }
        }
    }
}
