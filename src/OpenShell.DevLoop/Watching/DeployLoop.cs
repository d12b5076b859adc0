using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Watching;

/// <summary>
/// Turns "the tree may have changed" signals into deploys: debounced (quiet period, maximum wait),
/// coalesced, one deploy at a time with at most one follow-up, held while git works, pausable,
/// with a "deploy now" that shares a running deploy. The deploy action is injected; the loop knows
/// nothing about planning or Docker.
/// </summary>
internal sealed partial class DeployLoop : ITreeChangeSink, IAsyncDisposable
{
    private readonly Func<DeployTrigger, CancellationToken, Task<DeployOutcome>> _deploy;
    private readonly DeployLoopOptions _options;
    private readonly IGitOperationProbe _git;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Lock _publishGate = new();
    private readonly Queue<DeployLoopStatus> _unpublished = new();
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stopping = new();

    private PendingChanges _pending = new();
    private PendingChanges? _failed;
    private Task<DeployOutcome>? _running;
    private DeployTrigger? _lastTrigger;
    private DeployLoopState _settledState = DeployLoopState.Watching;
    private string? _settledReason;
    private string? _watchProblem;
    private string? _gitReason;
    private bool _paused;
    private bool _waitingForGit;
    private bool _disposed;
    private int _sequence;

    /// <summary>Creates a loop around <paramref name="deploy"/>; it acts once changes arrive.</summary>
    public DeployLoop(
        Func<DeployTrigger, CancellationToken, Task<DeployOutcome>> deploy,
        DeployLoopOptions options,
        IGitOperationProbe git,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(git);
        options.Validate();
        _deploy = deploy;
        _options = options;
        _git = git;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _timer = _time.CreateTimer(_ => Evaluate(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Status = Snapshot();
    }

    /// <summary>Raised, in order, on every change of <see cref="Status"/>.</summary>
    public event Action<DeployLoopStatus>? StatusChanged;

    /// <summary>The latest status.</summary>
    public DeployLoopStatus Status { get; private set; }

    /// <summary>How many deploys were started.</summary>
    public int DeploysStarted => Volatile.Read(ref _sequence);

    /// <inheritdoc />
    public void OnTreeChanged(TreeChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        DevLoopTelemetry.CountWatcherEvent(change);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _pending.Add(change, _time.GetUtcNow());
            if (!_paused && _running is null)
            {
                ArmTimerLocked();
            }

            PublishLocked();
        }

        Flush();
    }

    /// <inheritdoc />
    public void OnWatchLost(string reason)
    {
        lock (_gate)
        {
            _watchProblem = reason;
        }

        Log.WatchLost(_logger, reason);
        OnTreeChanged(TreeChange.FullRescan);
    }

    /// <inheritdoc />
    public void OnWatchRestored()
    {
        lock (_gate)
        {
            _watchProblem = null;
        }

        Log.WatchRestored(_logger);

        // Changes made while nothing watched are unknown: rescan once more.
        OnTreeChanged(TreeChange.FullRescan);
    }

    /// <summary>True while paused.</summary>
    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return _paused;
            }
        }
    }

    /// <summary>Stops starting deploys; changes are remembered. A running deploy finishes.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            _paused = true;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            PublishLocked();
        }

        Flush();
    }

    /// <summary>Resumes; changes remembered while paused give one deploy.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _paused = false;
            PublishLocked();
        }

        Flush();
        Evaluate();
    }

    /// <summary>
    /// Deploys now, with whatever changed so far, even while paused or before the quiet period ends.
    /// While a deploy runs, returns that deploy: concurrent requests share one task.
    /// </summary>
    public Task<DeployOutcome> DeployNowAsync()
    {
        Task<DeployOutcome> task;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            task = _running ?? StartLocked(DeployTriggerKind.Manual);
        }

        Flush();
        return task;
    }

    /// <summary>Stops the loop and waits for a running deploy (which is asked to cancel).</summary>
    public async ValueTask DisposeAsync()
    {
        Task? running;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            running = _running;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (running is not null)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    // Decides whether the pending changes are due; called by the timer, after a deploy and on resume.
    private void Evaluate()
    {
        lock (_gate)
        {
            if (_disposed || _paused || _running is not null || _pending.IsEmpty)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var quietDue = _pending.LastAt + _options.QuietPeriod;

            // A git operation is waited for to the end: the maximum wait does not cut it short.
            var due = _pending.GitActivity ? quietDue : Min(quietDue, _pending.FirstAt + _options.MaxWait);
            if (now < due)
            {
                _timer.Change(due - now, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_git.IsBusy(out var reason))
            {
                // Git's own file events (lock removed, rebase folder deleted) wake the loop again.
                _waitingForGit = true;
                _gitReason = reason;
                if (now < quietDue)
                {
                    _timer.Change(quietDue - now, Timeout.InfiniteTimeSpan);
                }

                PublishLocked();
                Log.WaitingForGit(_logger, reason);
            }
            else
            {
                StartLocked(_pending.Rescan ? DeployTriggerKind.Rescan : _pending.GitActivity ? DeployTriggerKind.GitOperation : DeployTriggerKind.Changes);
            }
        }

        Flush();
    }

    private Task<DeployOutcome> StartLocked(DeployTriggerKind kind)
    {
        var taken = _pending;
        _pending = new PendingChanges();
        if (_failed is not null)
        {
            taken.Carry(_failed.SortedPaths(), _failed.Rescan);
            _failed = null;
        }

        var trigger = new DeployTrigger(
            kind,
            taken.SortedPaths(),
            taken.BatchCount,
            taken.IsEmpty ? null : taken.FirstAt,
            Interlocked.Increment(ref _sequence));
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _waitingForGit = false;
        _lastTrigger = trigger;
        var completion = new TaskCompletionSource<DeployOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _running = completion.Task;
        PublishLocked();
        Log.DeployStarting(_logger, trigger.Sequence, kind, trigger.Paths.Count);

        // The action runs on the pool: a synchronous start must not block the caller (a file event or a timer).
        _ = Task.Run(() => RunAsync(trigger, taken, completion));
        return completion.Task;
    }

    private async Task RunAsync(DeployTrigger trigger, PendingChanges taken, TaskCompletionSource<DeployOutcome> completion)
    {
        DeployOutcome outcome;
        try
        {
            outcome = await _deploy(trigger, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            outcome = DeployOutcome.Failure("the deploy was cancelled because the watcher stopped");
        }
#pragma warning disable CA1031 // Any failure of the injected action is reported, never allowed to stop the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = DeployOutcome.Failure($"{ex.GetType().Name}: {ex.Message}");
        }

        lock (_gate)
        {
            _running = null;
            _settledState = outcome.Succeeded ? DeployLoopState.UpToDate : DeployLoopState.Failed;
            _settledReason = outcome.Message;
            if (!outcome.Succeeded)
            {
                // Nothing is lost: the failed deploy's paths ride along with the next one.
                _failed = taken;
            }

            PublishLocked();
        }

        if (outcome.Succeeded)
        {
            Log.DeploySucceeded(_logger, trigger.Sequence, outcome.Message);
        }
        else
        {
            Log.DeployFailed(_logger, trigger.Sequence, outcome.Message);
        }

        Flush();
        completion.SetResult(outcome);
        Evaluate();
    }

    private void ArmTimerLocked()
    {
        var now = _time.GetUtcNow();
        var due = _pending.GitActivity
            ? _pending.LastAt + _options.QuietPeriod
            : Min(_pending.LastAt + _options.QuietPeriod, _pending.FirstAt + _options.MaxWait);
        _timer.Change(due > now ? due - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private void PublishLocked()
    {
        var next = Snapshot();
        if (next == Status)
        {
            return;
        }

        Status = next;
        _unpublished.Enqueue(next);
    }

    private DeployLoopStatus Snapshot()
    {
        DeployLoopState state;
        string? reason = null;
        if (_running is not null)
        {
            state = DeployLoopState.Deploying;
        }
        else if (_paused)
        {
            state = DeployLoopState.Paused;
        }
        else if (_waitingForGit && !_pending.IsEmpty)
        {
            state = DeployLoopState.WaitingForGit;
            reason = _gitReason;
        }
        else if (!_pending.IsEmpty)
        {
            state = DeployLoopState.ChangesPending;
        }
        else
        {
            state = _settledState;
            reason = _settledReason;
        }

        return new DeployLoopStatus(
            state,
            reason,
            _pending.PathCount,
            _running is not null && !_pending.IsEmpty,
            _watchProblem,
            _lastTrigger);
    }

    // Publishes outside the state lock so handlers may call back; one publisher at a time keeps the order.
    private void Flush()
    {
        lock (_publishGate)
        {
            while (true)
            {
                DeployLoopStatus next;
                lock (_gate)
                {
                    if (!_unpublished.TryDequeue(out next!))
                    {
                        return;
                    }
                }

                StatusChanged?.Invoke(next);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deploy {Sequence} starting ({Kind}, {PathCount} changed paths)")]
        public static partial void DeployStarting(ILogger logger, int sequence, DeployTriggerKind kind, int pathCount);

        [LoggerMessage(2, LogLevel.Information, "Deploy {Sequence} succeeded: {Message}")]
        public static partial void DeploySucceeded(ILogger logger, int sequence, string message);

        [LoggerMessage(3, LogLevel.Error, "Deploy {Sequence} failed: {Message}. The next change or a manual deploy retries.")]
        public static partial void DeployFailed(ILogger logger, int sequence, string message);

        [LoggerMessage(4, LogLevel.Information, "Waiting for git: {Reason}")]
        public static partial void WaitingForGit(ILogger logger, string reason);

        [LoggerMessage(5, LogLevel.Warning, "File watching lost events: {Reason}. Rescanning the whole tree.")]
        public static partial void WatchLost(ILogger logger, string reason);

        [LoggerMessage(6, LogLevel.Information, "File watching restored; rescanning the whole tree")]
        public static partial void WatchRestored(ILogger logger);
    }
}
