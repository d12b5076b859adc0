using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.RuntimeBundle;
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

    /// <summary>Resolves and verifies the runtime bundle once (again after a failure).</summary>
    public Task<ResolvedBundle> ResolveBundleAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_bundle is null || _bundle.IsFaulted || _bundle.IsCanceled)
            {
                _bundle = ResolveBundleCoreAsync(_stopping.Token);
            }

            return _bundle.WaitAsync(ct);
        }
    }

    /// <summary>What bringing the cluster up would do now.</summary>
    public async Task<BootstrapDecision> DecideAsync(CancellationToken ct)
    {
        try
        {
            return await _services.Cluster.DecideAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw Fail(_loggers(ClusterScope), "Cluster", ex);
        }
    }

    /// <summary>
    /// Brings the cluster up: reuses a healthy one, bootstraps a missing or unhealthy one, or with <paramref name="recreate"/>
    /// removes it first. One at a time.
    /// </summary>
    public async Task<ClusterUpResult> UpAsync(bool recreate, Func<CancellationToken, Task>? beforeCluster, CancellationToken ct)
    {
        var logger = _loggers(ClusterScope);
        await _clusterGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (beforeCluster is not null)
            {
                Publish(new ClusterChanged(ClusterPhase.Waiting, "Waiting for the local registry"));
                await beforeCluster(ct).ConfigureAwait(false);
            }

            if (recreate)
            {
                Volatile.Write(ref _cluster, null);
                Publish(new ClusterChanged(ClusterPhase.Recreating, "removing the container and its volume"));
                await _services.Cluster.RemoveAsync(logger, ct).ConfigureAwait(false);
            }

            var decision = await _services.Cluster.DecideAsync(ct).ConfigureAwait(false);
            Publish(new ClusterChanged(decision.Action == BootstrapAction.Reuse ? ClusterPhase.Starting : ClusterPhase.Bootstrapping, Describe(decision)));
            var up = await _services.Cluster.UpAsync(async buildCt => (await ResolveBundleAsync(buildCt).ConfigureAwait(false)).Tarball, logger, ct)
                .ConfigureAwait(false);
            Volatile.Write(ref _cluster, up);
            Publish(new ClusterChanged(ClusterPhase.Running, Describe(up.Decision), up));
            return up;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var error = Fail(logger, "Cluster", ex);
            Publish(new ClusterChanged(ClusterPhase.Failed, error.Message, Error: error));
            throw error;
        }
        finally
        {
            _clusterGate.Release();
        }
    }

    /// <summary>
    /// Deploys <paramref name="targets"/> (none: what the plan says). A request for the targets already deploying shares
    /// that deploy; any other waits for it, then runs. <paramref name="ct"/> stops the waiting, not a shared deploy.
    /// </summary>
    /// <exception cref="DevLoopException">The deploy failed (its components show the failure), or the cluster is not up.</exception>
    public Task<DeployResult> DeployAsync(IReadOnlyList<string> targets, IProgress<DeployEvent>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var key = string.Join(' ', targets);
        lock (_gate)
        {
            if (Cluster is null)
            {
                return Task.FromException<DeployResult>(new DevLoopException("Deploy", "The cluster is not running yet.", null, RemedyAction.WaitForCluster));
            }

            if (_running is not { IsCompleted: false } running || _runningKey != key)
            {
                _runningKey = key;
                running = _running = RunDeployAfterAsync(_running, targets, progress, _stopping.Token);
            }

            return running.WaitAsync(ct);
        }
    }

    /// <summary>
    /// Removes the cluster (container and volume), bootstraps it again and redeploys everything. Waits for a deploy in
    /// flight first; the watcher is held meanwhile and left paused if the user had paused it.
    /// </summary>
    /// <exception cref="DevLoopException">The cluster did not come back, or the redeploy failed.</exception>
    public async Task<DeployResult> RecreateAsync(CancellationToken ct)
    {
        var loop = _loop;
        var pausedByUser = loop?.IsPaused ?? false;
        loop?.Pause();
        try
        {
            Task? inFlight;
            lock (_gate)
            {
                inFlight = _running;
                Volatile.Write(ref _cluster, null);
            }

            if (inFlight is not null)
            {
                try
                {
                    await inFlight.WaitAsync(ct).ConfigureAwait(false);
                }
                catch (DevLoopException)
                {
                    // That deploy reported its own failure.
                }
            }

            await UpAsync(recreate: true, null, ct).ConfigureAwait(false);
            return await DeployAsync([], null, ct).ConfigureAwait(false);
        }
        finally
        {
            if (!pausedByUser)
            {
                loop?.Resume();
            }
        }
    }

    /// <summary>Stops deploying on changes (remembered until <see cref="Resume"/>).</summary>
    public void Pause() => _loop?.Pause();

    /// <summary>Deploys what changed while paused, then keeps watching.</summary>
    public void Resume() => _loop?.Resume();

    /// <summary>Deploys now through the watcher (sharing its running deploy), or directly when it does not run.</summary>
    public async Task<DeployOutcome> DeployNowAsync(CancellationToken ct)
    {
        if (_loop is { } loop)
        {
            return await loop.DeployNowAsync().WaitAsync(ct).ConfigureAwait(false);
        }

        try
        {
            var result = await DeployAsync([], null, ct).ConfigureAwait(false);
            return DeployOutcome.Success(Summary(result));
        }
        catch (DevLoopException ex)
        {
            return DeployOutcome.Failure(ex.Message);
        }
    }

    /// <summary>Stops the watcher and cancels a running deploy.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        if (_loop is not null)
        {
            await _loop.DisposeAsync().ConfigureAwait(false);
        }

        // The gates are not disposed: a start-up still unwinding may release them after this.
    }

    private async Task<ResolvedBundle> ResolveBundleCoreAsync(CancellationToken ct)
    {
        var logger = _loggers(BundleScope);
        Publish(new BundleChanged(BundlePhase.Verifying));
        try
        {
            var architecture = await _services.Cluster.ReadArchitectureAsync(ct).ConfigureAwait(false);
            var bundle = await _services.Bundles.ResolveAsync(architecture, logger, ct).ConfigureAwait(false);
            Publish(new BundleChanged(BundlePhase.Ready, bundle));
            return bundle;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var error = ex is RuntimeBundleException { Rule: BundleRule.SourceNotConfigured } missing
                ? new DevLoopException("Runtime bundle", missing.Message, SyntheticBundleRemedy, RemedyAction.None, missing)
                : Fail(logger, "Runtime bundle", ex);
            LogFailed(logger, error.StepName, error.Message);
            Publish(new BundleChanged(BundlePhase.Failed, Error: error));
            throw error;
        }
    }

    /// <summary>The remedy shown when no bundle is configured.</summary>
    public const string SyntheticBundleRemedy =
        "For work that needs no GPU, set OpenShell:DevHost:SyntheticRuntimeBundle=true (variable OpenShell__DevHost__SyntheticRuntimeBundle=true) to build with a synthetic bundle.";

    private async Task<DeployResult> RunDeployAfterAsync(Task? previous, IReadOnlyList<string> targets, IProgress<DeployEvent>? progress, CancellationToken ct)
    {
        if (previous is not null)
        {
            try
            {
                await previous.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The earlier deploy reported its own failure.
            }
        }

        var logger = _loggers(DeployScope);
        try
        {
            // The cluster the session shows, whatever named it (OpenShell:Cluster:Name, CLUSTER_NAME or the folder).
            var request = DeployRequest.From(_settings, RepositoryRoot, targets);
            request = request with { PlanSettings = request.PlanSettings with { ClusterName = Paths.ClusterName } };
            var result = await _services.Deployer.DeployAsync(request, new Router(this, progress), ct).ConfigureAwait(false);
            await PublishDeployedAsync(result, ct).ConfigureAwait(false);
            return result;
        }
        catch (InvalidTargetException)
        {
            // A bad target word is the caller's mistake, not a component's failure.
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var error = Fail(logger, "Deploy", ex);
            var failed = ComponentsOf(error is DeployException deploy ? deploy.Step : null).ToList();
            foreach (var component in failed.Count > 0 ? failed : Catalog().Components.Select(c => c.Name))
            {
                Publish(new ComponentLog(component, $"Deploy failed at {error.StepName}: {error.Message}", IsError: true));
                Publish(new ComponentFailed(component, error));
            }

            throw error;
        }
    }

    private async Task PublishDeployedAsync(DeployResult result, CancellationToken ct)
    {
        var now = _services.Time.GetUtcNow();
        var observed = DeployedState.Unknown;
        if (Cluster is { } cluster)
        {
            try
            {
                // What this deploy did not touch is read back from the cluster, so a reused cluster shows what it runs.
                observed = await _services.Cluster.ReadDeployedAsync(cluster, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReadBackFailed(_loggers(DeployScope), ex.Message);
            }
        }

        foreach (var component in result.Plan.Components)
        {
            var deployed = result.Deployed.Contains(component.Component.Name);
            var facts = new ComponentFacts(component.Fingerprint, deployed ? now : null, deployed ? result.Total : null);
            facts = component.Component.Kind switch
            {
                ComponentKind.Image => facts with { Image = result.GatewayImage ?? observed.GatewayImage },
                ComponentKind.Binary => facts with
                {
                    Sha256 = result.SupervisorSha256 ?? observed.SupervisorSha256,
                    Version = observed.SupervisorVersion,
                    NodePath = SupervisorDeployer.NodePath,
                },
                ComponentKind.Helm => facts with { ChartChecksum = result.ChartChecksum ?? observed.ChartChecksum, HelmChartChanged = result.HelmChartChanged },
                _ => facts,
            };
            Publish(new ComponentDeployed(component.Component.Name, component.Component.Kind, facts));
        }

        Publish(new DeployFinished(result, now));
    }

    private void StartWatcher()
    {
        if (!_settings.DevHost.WatchEnabled)
        {
            Publish(new WatcherChanged(null, Disabled: true));
            return;
        }

        if (_loop is not null)
        {
            return;
        }

        var logger = _loggers(DeployScope);
        DeployLoop? loop = null;
        try
        {
            var excludes = Catalog(required: true).Components.SelectMany(c => c.Exclude).Distinct(StringComparer.Ordinal).ToList();
            loop = new DeployLoop(
                async (trigger, loopCt) =>
                {
                    Publish(new DeployTriggered(trigger));
                    try
                    {
                        return DeployOutcome.Success(Summary(await DeployAsync([], null, loopCt).ConfigureAwait(false)));
                    }
                    catch (DevLoopException ex)
                    {
                        return DeployOutcome.Failure(ex.Message);
                    }
                },
                new DeployLoopOptions
                {
                    QuietPeriod = TimeSpan.FromMilliseconds(_settings.DevHost.QuietPeriodMs),
                    MaxWait = TimeSpan.FromMilliseconds(_settings.DevHost.MaxWaitMs),
                },
                _services.GitProbe(RepositoryRoot),
                _services.Time,
                logger);
            loop.StatusChanged += status => Publish(new WatcherChanged(status));
            _watcher = _services.StartWatcher(RepositoryRoot, excludes, loop, logger);
            _loop = loop;
            Publish(new WatcherChanged(loop.Status));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _ = loop?.DisposeAsync().AsTask();
            var error = Fail(logger, "Watcher", ex);
            Publish(new WatcherChanged(null, error));
        }
    }

    private ComponentCatalog Catalog(bool required = false)
    {
        try
        {
            return _catalog ??= _services.LoadCatalog(RepositoryRoot);
        }
        catch (ComponentCatalogException) when (!required)
        {
            return ComponentCatalog.Parse("""{ "components": [] }""", "(none)");
        }
    }

    // The components a step works on: those of the step's kind in the catalogue; none for steps that concern all.
    private IEnumerable<string> ComponentsOf(DeployStep? step)
    {
        ComponentKind? kind = step switch
        {
            DeployStep.Builds or DeployStep.ImagePush or DeployStep.GatewayRollout => ComponentKind.Image,
            DeployStep.Supervisor => ComponentKind.Binary,
            DeployStep.HelmUpgrade => ComponentKind.Helm,
            _ => null,
        };
        return kind is null ? [] : Catalog().Components.Where(c => c.Kind == kind).Select(c => c.Name);
    }

    private void OnDeployEvent(DeployEvent e)
    {
        var components = ComponentsOf(e.Step).ToList();
        if (e.Kind == DeployEventKind.Started)
        {
            Publish(new DeployStepStarted(e.Step, components));
        }

        ComponentPhase? phase = e.Kind != DeployEventKind.Started ? null : e.Step switch
        {
            DeployStep.Builds => ComponentPhase.Building,
            DeployStep.ImagePush => ComponentPhase.Pushing,
            DeployStep.GatewayRollout => ComponentPhase.RollingOut,
            DeployStep.Supervisor => ComponentPhase.Copying,
            DeployStep.HelmUpgrade => ComponentPhase.Upgrading,
            _ => null,
        };
        foreach (var component in components)
        {
            Publish(new ComponentLog(component, e.Message, e.Kind == DeployEventKind.Failed));
            if (phase is { } p)
            {
                Publish(new ComponentPhaseChanged(component, p));
            }
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

    private static string Describe(BootstrapDecision decision) => $"{decision.Action}: {decision.Reason}";

    private static string Summary(DeployResult result) =>
        result.NothingToDo ? "no changes to deploy" : $"deployed {string.Join(", ", result.Deployed)} in {result.Total.TotalSeconds:0.0}s";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Step}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string step);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Step} failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string step, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the deployed state back from the cluster: {Message}")]
    private static partial void LogReadBackFailed(ILogger logger, string message);

    /// <summary>Routes deploy events to the components they concern, then to the caller's progress.</summary>
    private sealed class Router(DevSession owner, IProgress<DeployEvent>? progress) : IProgress<DeployEvent>
    {
        public void Report(DeployEvent value)
        {
            owner.OnDeployEvent(value);
            progress?.Report(value);
        }
    }
}
