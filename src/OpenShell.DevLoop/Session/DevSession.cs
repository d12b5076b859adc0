using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Session;

/// <summary>
/// One dev session for one checkout and one cluster, shared by the dashboard and <c>openshell-dev</c>: resolves the runtime
/// bundle, brings the cluster up or recreates it (waiting for the deploy in flight and keeping a user's pause), runs deploys
/// one at a time (a request for the targets already deploying shares that deploy), hosts the watcher and reads what the
/// cluster runs. It publishes what happens as <see cref="SessionEvent"/>s keyed by component name; nothing but a
/// <see cref="DevLoopException"/> leaves it (unexpected errors are logged with their stack trace and wrapped).
/// </summary>
internal sealed partial class DevSession : IAsyncDisposable
{
    /// <summary>Logger scope of the runtime bundle's output.</summary>
    public const string BundleScope = "runtime-bundle";

    /// <summary>Logger scope of the cluster's output.</summary>
    public const string ClusterScope = "cluster";

    /// <summary>Logger scope of the whole deploy log and the watcher.</summary>
    public const string DeployScope = "watcher";

    private readonly OpenShellSettings _settings;
    private readonly DevSessionServices _services;
    private readonly Func<string, ILogger> _loggers;
    private readonly Lock _gate = new();
    private readonly Lock _publishGate = new();
    private readonly SemaphoreSlim _clusterGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task<ResolvedBundle>? _bundle;
    private Task<DeployResult>? _running;
    private string? _runningKey;
    private ClusterUpResult? _cluster;
    private ComponentCatalog? _catalog;
    private DeployLoop? _loop;
    private IDisposable? _watcher;
    private Task? _engineWatch;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private Task _nodeStart = Task.CompletedTask;

    // Set while the engine is (or was, until the node is checked again) lost: a crash or restart may have stopped the node.
    private bool _engineLost;

    // What the watcher saw change since the last plan; it vouches for nothing until the watcher runs.
    private readonly ChangeDetection.ChangeJournal _journal = new();

    /// <summary>Creates the session; nothing runs until a method is called.</summary>
    /// <param name="settings">The resolved settings (<see cref="SettingsLoader"/>); <c>DevHost.RepositoryRoot</c> is the checkout.</param>
    /// <param name="services">The collaborators.</param>
    /// <param name="loggers">A logger per scope: <see cref="BundleScope"/>, <see cref="ClusterScope"/>, <see cref="DeployScope"/> or a component's name.</param>
    public DevSession(OpenShellSettings settings, DevSessionServices services, Func<string, ILogger>? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        _settings = settings;
        _services = services;
        _loggers = loggers ?? (_ => NullLogger.Instance);
        RepositoryRoot = settings.DevHost.RepositoryRoot
            ?? throw new ArgumentException("OpenShell:DevHost:RepositoryRoot is not resolved; load the settings with SettingsLoader.", nameof(settings));
        Paths = new ClusterPaths(RepositoryRoot, ClusterName.Resolve(settings.Cluster.Name, RepositoryRoot));
    }

    /// <summary>Raised, in order, for everything a front end shows. Handlers must not throw or block.</summary>
    public event Action<SessionEvent>? Changed;

    /// <summary>The checkout.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The cluster's name and files.</summary>
    public ClusterPaths Paths { get; }

    /// <summary>The running cluster; null until it is up (and while it is recreated).</summary>
    public ClusterUpResult? Cluster => Volatile.Read(ref _cluster);

    /// <summary>True once the cluster is up and deploys can run.</summary>
    public bool IsClusterReady => Cluster is not null;

    /// <summary>True while the watcher runs and is paused.</summary>
    public bool IsPaused => _loop?.IsPaused ?? false;

    /// <summary>True once the watcher runs.</summary>
    public bool IsWatching => _loop is not null;

    /// <summary>
    /// The whole start-up the dashboard runs: bundle, cluster (after <paramref name="beforeCluster"/>), the first deploy,
    /// then the watcher. Failures are published, never thrown; only cancellation ends it early.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task>? beforeCluster, CancellationToken ct)
    {
        StartEngineWatch();
        PublishComponentsWaiting("Waiting for the cluster");
        Publish(new ClusterChanged(ClusterPhase.Waiting, "Waiting for the runtime bundle"));
        try
        {
            await ResolveBundleAsync(ct).ConfigureAwait(false);
        }
        catch (DevLoopException ex)
        {
            Publish(new ClusterChanged(ClusterPhase.Waiting, "Waiting for the runtime bundle (it failed)", Error: ex));
            PublishComponentsWaiting("Waiting for the cluster (the runtime bundle failed)");
            return;
        }

        try
        {
            await UpAsync(recreate: false, beforeCluster, ct).ConfigureAwait(false);
        }
        catch (DevLoopException)
        {
            PublishComponentsWaiting("Waiting for the cluster (it failed)");
            return;
        }

        try
        {
            // The first deploy brings a fresh or reused cluster up to date with the tree.
            await DeployAsync([], null, ct).ConfigureAwait(false);
        }
        catch (DevLoopException)
        {
            // Published on the components; the watcher retries on the next change.
        }

        StartWatcher();
    }

    /// <summary>Stops the watcher and cancels a running deploy.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _journal.Disarm();
        _watcher?.Dispose();
        if (_engineWatch is not null)
        {
            await _engineWatch.ConfigureAwait(false);
        }

        await _nodeStart.ConfigureAwait(false);

        if (_loop is not null)
        {
            await _loop.DisposeAsync().ConfigureAwait(false);
        }

        // The gates are not disposed: a start-up still unwinding may release them after this.
    }

    /// <summary>How long a deploy waits for a lost engine to come back before it fails without doing anything.</summary>
    public static readonly TimeSpan EngineWaitBudget = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts the engine watch alone (<see cref="RunAsync"/> starts it too), for a front end that shows the engine and
    /// the cluster without the start-up: an exited node is started when the engine comes back. Stopped by disposing.
    /// </summary>
    public void WatchEngine() => StartEngineWatch();

    private void StartEngineWatch()
    {
        if (_services.Engine is not { } engine || _engineWatch is not null)
        {
            return;
        }

        engine.Changed += status =>
        {
            Publish(new EngineChanged(status));
            OnEngineLink(status.Link);
        };
        _engineWatch = engine.RunAsync(_stopping.Token);
    }

    // The engine's restart policies do not always bring the node back after a crash (it can stay exited): when the engine
    // answers again, an exited node is started, one check after another.
    private void OnEngineLink(Engine.EngineLink link)
    {
        if (link == Engine.EngineLink.Lost)
        {
            Volatile.Write(ref _engineLost, true);
        }
        else if (link == Engine.EngineLink.Connected && Volatile.Read(ref _engineLost))
        {
            lock (_gate)
            {
                _nodeStart = StartNodeAfterEngineAsync(_nodeStart, _stopping.Token);
            }
        }
    }

    /// <summary>How long after the engine came back the node is watched for a stop the engine has not finished yet.</summary>
    public static readonly TimeSpan NodeSettleBudget = TimeSpan.FromSeconds(60);

    // The engine may answer before it has settled its containers, and a first request may still fail: the node is looked
    // at every two seconds until it is started, runs healthy or is gone, or the budget is spent.
    private async Task StartNodeAfterEngineAsync(Task previous, CancellationToken ct)
    {
        await previous.ConfigureAwait(false);
        var deadline = _services.Time.GetUtcNow() + NodeSettleBudget;
        try
        {
            while (Volatile.Read(ref _engineLost))
            {
                BootstrapDecision? decision = null;
                try
                {
                    decision = await DecideAsync(ct).ConfigureAwait(false);
                    if (decision.Action == BootstrapAction.Start)
                    {
                        await StartStoppedNodeAsync(ct).ConfigureAwait(false);
                    }
                }
                catch (DevLoopException ex)
                {
                    // Published on the cluster when the start failed; a failed look is tried again.
                    LogFailed(_loggers(ClusterScope), ex.StepName, ex.Message);
                    if (decision is not null)
                    {
                        break;
                    }
                }

                if (decision is { Action: BootstrapAction.Start or BootstrapAction.Reuse or BootstrapAction.Create } || _services.Time.GetUtcNow() >= deadline)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), _services.Time, ct).ConfigureAwait(false);
            }

            Volatile.Write(ref _engineLost, false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // A deploy started while the engine is away would fail half-way; it waits for the engine instead, then fails whole.
    private async Task WaitForEngineAsync(CancellationToken ct)
    {
        if (_services.Engine is not { IsRunning: true } engine || engine.Current.Link == Engine.EngineLink.Connected)
        {
            return;
        }

        PublishComponentsWaiting($"Waiting for the Docker engine: {engine.Current.Problem?.Message ?? "not checked yet"}");
        await engine.WaitUntilConnectedAsync(EngineWaitBudget, ct).ConfigureAwait(false);
    }

    private ComponentCatalog Catalog(bool required = false)
    {
        try
        {
            return _catalog ??= _services.LoadCatalog(RepositoryRoot);
        }
        catch (ComponentCatalogException) when (!required)
        {
            return ComponentCatalog.Empty;
        }
    }

    private void PublishComponentsWaiting(string why)
    {
        foreach (var component in Catalog().Components)
        {
            Publish(new ComponentPhaseChanged(component.Name, ComponentPhase.Waiting, why));
        }
    }

    private void Publish(SessionEvent e)
    {
        // One at a time, so front ends see events in the order they happened.
        lock (_publishGate)
        {
            Changed?.Invoke(e);
        }
    }

    private static DevLoopException Fail(ILogger logger, string step, Exception ex)
    {
        if (ex is not DevLoopException)
        {
            LogUnexpected(logger, ex, step);
        }

        return DevLoopException.Wrap(step, ex);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Step}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Line}")]
    private static partial void LogNodeStarted(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Step} failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string step, string message);
}
