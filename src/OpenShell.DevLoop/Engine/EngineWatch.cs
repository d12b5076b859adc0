using System.Globalization;
using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Keeps checking the Docker engine and the forwards to its ports while a long-lived front end runs: every
/// <see cref="Interval"/> while it answers, after a failure with back-off (1, 2, 4 … 30 s), reopening forwards on their
/// old local ports so kubeconfigs and URLs already given out work again. A connection the probe sees drop between checks
/// (the engine restarted) counts as lost at once and is checked again straight away, so even a restart quicker than the
/// interval shows as lost and back. Each change is raised through <see cref="Changed"/>, and a deploy can wait for the
/// engine rather than start and fail half-way.
/// </summary>
internal sealed class EngineWatch
{
    /// <summary>Time between checks while the engine answers.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between checks after failures.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The shortest time between two drops: a stream that ends as soon as it opens does not spin.</summary>
    public static readonly TimeSpan DropPause = TimeSpan.FromSeconds(1);

    private readonly IEngineProbe _probe;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private EngineStatus _current;
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource _changed = NewSignal();
    private int _running;

    /// <summary>Prepares the watch; nothing is checked until <see cref="RunAsync"/>.</summary>
    /// <param name="probe">One check of the engine.</param>
    /// <param name="address">The engine as the user should see it (<see cref="EngineConnection.ToString"/>).</param>
    /// <param name="time">The clock of the intervals and back-off.</param>
    public EngineWatch(IEngineProbe probe, string address, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
        _time = time ?? TimeProvider.System;
        _current = new EngineStatus(EngineLink.Connecting, address);
    }

    /// <summary>Raised after each change of <see cref="Current"/>, from the watch's loop. Handlers must not throw or block.</summary>
    public event Action<EngineStatus>? Changed;

    /// <summary>The last known status.</summary>
    public EngineStatus Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>True while <see cref="RunAsync"/> runs.</summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>The wait after <paramref name="failedChecks"/> failed checks in a row: 1, 2, 4, 8, 16, then 30 s.</summary>
    public static TimeSpan Backoff(int failedChecks) =>
        failedChecks >= 6 ? MaxBackoff : TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Max(0, failedChecks - 1))));

    /// <summary>Checks until <paramref name="ct"/> is cancelled; failures are published, never thrown.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The engine watch already runs.");
        }

        using var stopDrops = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var drops = FollowDropsAsync(stopDrops.Token);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var wait = await CheckOnceAsync(ct).ConfigureAwait(false);
                Task wake;
                lock (_gate)
                {
                    wake = _wake.Task;
                }

                using (var sleep = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    await Task.WhenAny(Task.Delay(wait, _time, sleep.Token), wake).ConfigureAwait(false);
                    await sleep.CancelAsync().ConfigureAwait(false);
                }

                ct.ThrowIfCancellationRequested();
                lock (_gate)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await stopDrops.CancelAsync().ConfigureAwait(false);
            await drops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Volatile.Write(ref _running, 0);
        }
    }

    // While connected, waits for the probe to see the connection drop; then the engine counts as lost and is checked now.
    private async Task FollowDropsAsync(CancellationToken ct)
    {
        while (true)
        {
            await ConnectedAsync(ct).ConfigureAwait(false);
            try
            {
                await _probe.WaitForDropAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A stream that fails is a drop as much as one that ends.
            }

            ct.ThrowIfCancellationRequested();
            var current = Current;
            Publish(current with
            {
                Link = EngineLink.Lost,
                Problem = new EngineConnectionException(
                    "the connection to the Docker engine dropped: the engine restarted or went away",
                    "nothing to do if it comes back; else check that the engine runs and that this machine reaches it"),
                FailedChecks = current.FailedChecks + 1,
                RetryIn = TimeSpan.Zero,
            });
            _ = NextChangeUnlessConnected(checkNow: true);
            await Task.Delay(DropPause, _time, ct).ConfigureAwait(false);
        }
    }

    private async Task ConnectedAsync(CancellationToken ct)
    {
        while (NextChangeUnlessConnected(checkNow: false) is { } changed)
        {
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    // Null while connected; else the next change, after asking for a check now (not after the back-off) when told to.
    private Task? NextChangeUnlessConnected(bool checkNow)
    {
        lock (_gate)
        {
            if (_current.Link == EngineLink.Connected)
            {
                return null;
            }

            if (checkNow)
            {
                _wake.TrySetResult();
            }

            return _changed.Task;
        }
    }

    /// <summary>
    /// Returns once the engine answers; when it does not, checks at once (not after the back-off) and waits up to
    /// <paramref name="budget"/> for it to come back.
    /// </summary>
    /// <exception cref="EngineConnectionException">The engine did not come back within the budget; names the last failure and its remedy.</exception>
    public async Task WaitUntilConnectedAsync(TimeSpan budget, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(budget, _time);

        // One check now instead of after the back-off; later ones keep the back-off's pace.
        var checkNow = true;
        while (NextChangeUnlessConnected(checkNow) is { } changed)
        {
            checkNow = false;
            try
            {
                await changed.WaitAsync(deadline.Token).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                var last = Current;
                var why = last.Problem?.Message ?? "it was not checked yet";
                throw new EngineConnectionException(
                    string.Create(CultureInfo.InvariantCulture, $"the Docker engine did not come back within {budget.TotalSeconds:0} s, so nothing was deployed: {why}"),
                    last.Problem?.Remedy ?? "check that the engine runs and that this machine reaches it; the next change deploys once it answers",
                    last.Problem);
            }
        }
    }

    private async Task<TimeSpan> CheckOnceAsync(CancellationToken ct)
    {
        EngineStatus next;
        try
        {
            var facts = await _probe.CheckAsync(ct).ConfigureAwait(false);
            next = Current with { Link = EngineLink.Connected, Facts = facts, Problem = null, FailedChecks = 0, RetryIn = null };
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var failed = Current.FailedChecks + 1;
            var problem = e as DevLoopException ?? new EngineConnectionException($"checking the Docker engine failed: {e.Message}", null, e);
            next = Current with { Link = EngineLink.Lost, Problem = problem, FailedChecks = failed, RetryIn = Backoff(failed) };
        }

        Publish(next);
        return next.RetryIn ?? Interval;
    }

    private void Publish(EngineStatus next)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            var same = _current.Link == next.Link && _current.FailedChecks == next.FailedChecks && Equals(_current.Facts?.Platform, next.Facts?.Platform)
                && Equals(_current.Facts?.Version, next.Facts?.Version) && SameForwards(_current.Facts, next.Facts);
            _current = next;
            if (same)
            {
                return;
            }

            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
        Changed?.Invoke(next);
    }

    private static bool SameForwards(EngineFacts? a, EngineFacts? b) =>
        a is null || b is null ? a == b : a.Forwards.Count == b.Forwards.Count && a.Forwards.All(f => b.Forwards.TryGetValue(f.Key, out var local) && local == f.Value);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
