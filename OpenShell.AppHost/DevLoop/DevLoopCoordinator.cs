using System.Globalization;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.AppHost.Telemetry;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.DevLoop.Telemetry;
using OpenShell.DevLoop.Watching;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// The dev loop behind the dashboard: verifies the runtime bundle, brings the cluster up, runs deploys (one at a time;
/// a request for the same targets shares the running one) and keeps the component resources' state and logs current.
/// The work itself lives in OpenShell.DevLoop, shared with <c>openshell-dev</c>.
/// </summary>
internal sealed partial class DevLoopCoordinator(
    OpenShellSettings settings,
    DevHostSettings host,
    DevLoopResources resources,
    ResourceNotificationService notifications,
    ResourceLoggerService logs) : IAsyncDisposable
{
    private readonly DockerClient _docker = DockerEngine.CreateClient();
    private readonly DeployPlanner _planner = new(new DockerClusterContainerLocator());
    private readonly TaskCompletionSource<string> _bundleTarball = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task<DeployResult>? _running;
    private string? _runningKey;
    private ClusterUpResult? _cluster;
    private DeployLoop? _loop;
    private RepositoryWatcher? _watcher;
    private (string Sha256, string? Version)? _supervisorVersion;

    public string RepositoryRoot => host.RepositoryRoot!;

    public ClusterPaths Paths { get; } = new(host.RepositoryRoot!, ClusterName.Resolve(settings.Cluster.Name, host.RepositoryRoot!));

    /// <summary>True once the cluster answers and deploys can run.</summary>
    public bool ClusterReady => Volatile.Read(ref _cluster) is not null;

    /// <summary>The running deploy loop, once watching started.</summary>
    public DeployLoop? Loop => _loop;

    public ClusterUpResult? Cluster => Volatile.Read(ref _cluster);

    private ILogger Log(IResource? resource) => resource is null ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : logs.GetLogger(resource);

    // ---- runtime bundle ---------------------------------------------------------------------------------------

    public async Task RunRuntimeBundleAsync(RuntimeBundleResource resource, CancellationToken ct)
    {
        var logger = Log(resource);
        try
        {
            await notifications.PublishStateAsync(resource, ResourceStates.Verifying);
            var architecture = await ClusterArchitecture.ReadAsync(_docker, settings.Images.K3s, ct);
            var (tarball, origin) = await ResolveBundleAsync(architecture, ct);
            LogBundleSource(logger, tarball, origin);
            var verified = await RuntimeBundleVerifier.VerifyAsync(tarball, architecture, ct: ct);
            LogBundleVerified(logger, verified.Manifest.Name, verified.Manifest.Version, verified.Manifest.Architecture, verified.FileCount);
            await notifications.PublishStateAsync(
                resource,
                ResourceStates.Running,
                new("bundle.name", verified.Manifest.Name),
                new("bundle.version", verified.Manifest.Version),
                new("bundle.architecture", verified.Manifest.Architecture),
                new("bundle.files", verified.FileCount),
                new("bundle.bytes", verified.PayloadBytes),
                new("bundle.sha256", verified.TarballSha256),
                new("bundle.source", origin),
                new("bundle.verification", "passed"));
            _bundleTarball.TrySetResult(tarball);
        }
        catch (Exception ex) when (ex is RuntimeBundleException or DockerApiException or IOException or InvalidOperationException)
        {
            LogBundleFailed(logger, ex.Message);
            await notifications.PublishStateAsync(resource, ResourceStates.Failed, new ResourcePropertySnapshot("bundle.verification", ex.Message));
            _bundleTarball.TrySetException(ex);
        }
    }

    private async Task<(string Tarball, string Origin)> ResolveBundleAsync(string architecture, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(host.RuntimeBundleTarball))
        {
            return (Path.GetFullPath(host.RuntimeBundleTarball), "OpenShell:DevHost:RuntimeBundleTarball");
        }

        try
        {
            var source = RuntimeBundleSource.Resolve(architecture);
            return (await RuntimeBundleSource.ResolveTarballAsync(architecture, ct: ct), source.Variable);
        }
        catch (RuntimeBundleException ex) when (ex.Rule == BundleRule.SourceNotConfigured && host.SyntheticRuntimeBundle)
        {
            var tarball = await SyntheticRuntimeBundle.EnsureAsync(Path.Combine(Paths.CacheDirectory, "offline"), architecture, ct);
            return (tarball, "synthetic (offline profile: no GPU runtime)");
        }
    }

    // ---- cluster ----------------------------------------------------------------------------------------------

    public async Task RunClusterAsync(OpenShellClusterResource resource, bool recreate, CancellationToken ct)
    {
        var logger = Log(resource);
        try
        {
            await notifications.PublishStateAsync(resource, ResourceStates.Waiting);
            await notifications.WaitForDependenciesAsync(resource, ct);
            var tarball = await _bundleTarball.Task.WaitAsync(ct);
            var lifecycle = new ClusterLifecycle(_docker, settings, Paths, logger);
            if (recreate)
            {
                Volatile.Write(ref _cluster, null);
                await notifications.PublishStateAsync(resource, ResourceStates.Recreating);
                await lifecycle.RemoveAsync(removeVolume: true, ct);
            }

            var decision = await lifecycle.DecideAsync(ct);
            await notifications.PublishStateAsync(resource, decision.Action == BootstrapAction.Reuse ? ResourceStates.Starting : ResourceStates.Bootstrapping,
                new ResourcePropertySnapshot("cluster.decision", $"{decision.Action}: {decision.Reason}"));
            var up = await lifecycle.UpAsync(
                async buildCt => await ClusterImageBuild.RunAsync(
                    _docker,
                    new ClusterImageBuildRequest(RepositoryRoot, settings.Cluster.Image, settings.Images.K3s) { BundleTarball = tarball },
                    logger,
                    buildCt),
                ct: ct);
            Volatile.Write(ref _cluster, up);
            await notifications.PublishStateAsync(
                resource,
                ResourceStates.Running,
                new("cluster.container", Paths.ClusterName is { } n ? ClusterName.ContainerName(n) : ""),
                new("cluster.containerId", up.ContainerId[..12]),
                new("cluster.decision", $"{up.Decision.Action}: {up.Decision.Reason}"),
                new("cluster.apiPort", up.ApiHostPort),
                new("cluster.gatewayPort", up.GatewayHostPort),
                new("cluster.kubeconfig", up.KubeconfigPath));
            await PublishGatewayUrlAsync(up);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogClusterFailed(logger, ex.Message);
            await notifications.PublishStateAsync(resource, ResourceStates.Failed, new ResourcePropertySnapshot("cluster.error", ex.Message));
            return;
        }

        await StartDevLoopAsync(ct);
    }

    private async Task PublishGatewayUrlAsync(ClusterUpResult up)
    {
        if (resources.Gateway is { } gateway)
        {
            var url = $"https://127.0.0.1:{up.GatewayHostPort.ToString(CultureInfo.InvariantCulture)}";
            await notifications.PublishUpdateAsync(gateway, s => s with { Urls = [new UrlSnapshot("https", url, IsInternal: false)] });
        }
    }

    /// <summary>Removes the cluster (container and volume), bootstraps it again and redeploys everything.</summary>
    public async Task RecreateClusterAsync(CancellationToken ct)
    {
        _loop?.Pause();
        try
        {
            await RunClusterAsync(resources.Cluster!, recreate: true, ct);
        }
        finally
        {
            _loop?.Resume();
        }
    }

    // ---- deploys ----------------------------------------------------------------------------------------------

    private async Task StartDevLoopAsync(CancellationToken ct)
    {
        // The first deploy brings a fresh or reused cluster up to date with the tree.
        try
        {
            await DeployAsync([], ct);
        }
        catch (Exception ex) when (ex is DeployException or InvalidTargetException or ComponentCatalogException)
        {
            // Published on the resources already; the watcher retries on the next change.
        }

        if (!host.WatchEnabled || resources.Watcher is not { } watcherResource || _loop is not null)
        {
            return;
        }

        var logger = Log(watcherResource);
        var catalog = ComponentCatalog.Load(RepositoryRoot);
        _loop = new DeployLoop(
            async (trigger, loopCt) =>
            {
                await PublishWatcherTriggerAsync(trigger);
                try
                {
                    var result = await DeployAsync([], loopCt, DeployTriggers.Of(trigger.Kind));
                    return DeployOutcome.Success(result.NothingToDo ? "no changes to deploy" : $"deployed {string.Join(", ", result.Deployed)} in {result.Total.TotalSeconds:0.0}s");
                }
                catch (Exception ex) when (ex is DeployException or InvalidTargetException or ComponentCatalogException)
                {
                    return DeployOutcome.Failure(ex.Message);
                }
            },
            new DeployLoopOptions { QuietPeriod = TimeSpan.FromMilliseconds(host.QuietPeriodMs), MaxWait = TimeSpan.FromMilliseconds(host.MaxWaitMs) },
            new GitOperationProbe(Path.Combine(RepositoryRoot, ".git")),
            logger: logger);
        _loop.StatusChanged += status => _ = PublishWatcherStatusAsync(watcherResource, status);
        var excludes = catalog.Components.SelectMany(c => c.Exclude).Distinct(StringComparer.Ordinal).ToList();
        _watcher = new RepositoryWatcher(
            new RepositoryWatcherOptions { RepositoryRoot = RepositoryRoot, IsExcluded = ExcludeGlobs.ToPredicate(excludes) },
            _loop,
            logger: logger);
        _watcher.Start();
        await PublishWatcherStatusAsync(watcherResource, _loop.Status);
    }

    /// <summary>
    /// Deploys <paramref name="targets"/> (none: what the plan says). A request for the same targets as the running
    /// deploy shares it; any other waits for it, then runs.
    /// </summary>
    public Task<DeployResult> DeployAsync(IReadOnlyList<string> targets, CancellationToken ct, string trigger = DeployTriggers.Command)
    {
        if (!ClusterReady)
        {
            throw new DeployException(DeployStep.ChangeDetection, "The cluster is not running yet: wait for the cluster resource to be Running, or use its Recreate command.");
        }

        var key = string.Join(' ', targets);
        lock (_gate)
        {
            if (_running is { IsCompleted: false } running && _runningKey == key)
            {
                return running;
            }

            var previous = _running;
            _runningKey = key;
            _running = RunDeployAfterAsync(previous, targets, trigger, ct);
            return _running;
        }
    }

    private async Task<DeployResult> RunDeployAfterAsync(Task? previous, IReadOnlyList<string> targets, string trigger, CancellationToken ct)
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

        var watcherLog = Log(resources.Watcher);
        var deployer = new FastDeployer(_docker, settings, watcherLog, _planner);
        var progress = new DeployProgressRouter(this);
        var request = DeployRequest.FromEnvironment(RepositoryRoot, targets);
        // The cluster the dashboard shows, whatever named it (OpenShell:Cluster:Name, CLUSTER_NAME or the folder).
        request = request with { PlanSettings = request.PlanSettings with { ClusterName = Paths.ClusterName }, Trigger = trigger };
        try
        {
            var result = await deployer.DeployAsync(request, progress, ct);
            await PublishDeployedAsync(result);
            return result;
        }
        catch (DeployException ex)
        {
            await PublishFailedAsync(ex.Step, ex.Message);
            throw;
        }
        finally
        {
            await PublishDeploySummaryAsync(watcherLog);
        }
    }

    // The last deploy's total, slowest step and regressions, from the deploy history.
    private async Task PublishDeploySummaryAsync(ILogger watcherLog)
    {
        if (resources.Watcher is { } watcher && await DeploySummary.ReadAsync(RepositoryRoot, watcherLog) is { Length: > 0 } summary)
        {
            await notifications.PublishUpdateAsync(watcher, s => s with { Properties = ResourceStates.Merge(s.Properties, summary) });
        }
    }

    private async Task PublishDeployedAsync(DeployResult result)
    {
        var now = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture);
        var plan = result.Plan;
        // What this deploy did not touch is read back from the cluster, so a reused cluster shows what it runs.
        var observed = await ObserveClusterAsync();
        var gatewayImage = result.GatewayImage ?? observed.GatewayImage;
        var supervisorSha = result.SupervisorSha256 ?? observed.SupervisorSha256;
        var chartChecksum = result.ChartChecksum ?? observed.ChartChecksum;
        foreach (var (resource, kind) in ComponentResources())
        {
            var component = plan.OfKind(kind).FirstOrDefault();
            if (component is null)
            {
                continue;
            }

            var props = new List<ResourcePropertySnapshot>
            {
                new("deploy.fingerprint", component.Fingerprint.Length > 12 ? component.Fingerprint[..12] : component.Fingerprint),
            };
            if (result.Deployed.Contains(component.Component.Name))
            {
                props.Add(new("deploy.lastDeployed", now));
                props.Add(new("deploy.duration", $"{result.Total.TotalSeconds:0.0}s"));
            }

            switch (kind)
            {
                case ComponentKind.Image when gatewayImage is not null:
                    props.Add(new("gateway.image", gatewayImage));
                    break;
                case ComponentKind.Binary when supervisorSha is not null:
                    props.Add(new("supervisor.sha256", supervisorSha));
                    props.Add(new("supervisor.version", observed.SupervisorVersion ?? "unknown (the binary did not answer --version)"));
                    props.Add(new("supervisor.path", SupervisorDeployer.NodePath));
                    break;
                case ComponentKind.Helm when chartChecksum is not null:
                    props.Add(new("chart.checksum", chartChecksum));
                    props.Add(new("chart.helmChartChanged", result.HelmChartChanged));
                    break;
            }

            await notifications.PublishStateAsync(resource, ResourceStates.Running, [.. props]);
        }

        if (resources.Watcher is { } watcher)
        {
            var triggers = plan.Components.SelectMany(c => c.Changes.Select(ch => $"{ch.Path} ({c.Component.Name}: {ch.Glob})")).Distinct().Take(20);
            var steps = string.Join(", ", result.Steps.Where(s => s.Outcome == DeployStepOutcome.Succeeded).Select(s => $"{DeployStepLabels.Of(s.Step)} {s.Duration.TotalSeconds:0.0}s"));
            await notifications.PublishUpdateAsync(watcher, s => s with
            {
                Properties = ResourceStates.Merge(s.Properties,
                [
                    new("watcher.lastPlan", string.Join(" ", plan.Components.Select(c => $"{c.Component.Name}={(c.Rebuild ? 1 : 0)}"))),
                    new("watcher.lastTriggers", string.Join("; ", triggers)),
                    new("watcher.lastSteps", steps),
                    new("watcher.lastDeploy", now),
                ]),
            });
        }
    }

    private async Task<(string? GatewayImage, string? SupervisorSha256, string? SupervisorVersion, string? ChartChecksum)> ObserveClusterAsync()
    {
        if (Cluster is not { } cluster)
        {
            return default;
        }

        try
        {
            var sha = await SupervisorDeployer.ReadNodeSha256Async(_docker, cluster.ContainerId);
            // The binary runs only when it changed: its sha256 names its version.
            var version = sha is null ? null
                : _supervisorVersion is { } known && known.Sha256 == sha ? known.Version
                : await SupervisorDeployer.ReadNodeVersionAsync(_docker, cluster.ContainerId);
            _supervisorVersion = sha is null ? null : (sha, version);
            using var kube = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(Paths.Kubeconfig));
            var chart = await HelmChartDeployer.ReadAsync(kube);
            var values = chart["spec"]?["valuesContent"]?.GetValue<string>();
            return (HelmChartDeployer.ImageOf(values), sha, version, HelmValuesEditor.Read(values, "chartChecksum"));
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or k8s.Autorest.HttpOperationException or IOException or InvalidOperationException)
        {
            Log(resources.Watcher).LogWarning("Could not read the deployed state back from the cluster: {Message}", ex.Message);
            return default;
        }
    }

    private async Task PublishFailedAsync(DeployStep step, string message)
    {
        var resource = ResourceFor(step);
        foreach (var (r, _) in ComponentResources())
        {
            if (resource is null || r == resource)
            {
                Log(r).LogError("Deploy failed at {Step}: {Message}", DeployStepLabels.Of(step), message);
                await notifications.PublishStateAsync(r, ResourceStates.Failed, new ResourcePropertySnapshot("deploy.error", message));
            }
        }
    }

    private IEnumerable<(OpenShellComponentResource Resource, ComponentKind Kind)> ComponentResources()
    {
        if (resources.Gateway is { } g)
        {
            yield return (g, ComponentKind.Image);
        }

        if (resources.Supervisor is { } s)
        {
            yield return (s, ComponentKind.Binary);
        }

        if (resources.Chart is { } c)
        {
            yield return (c, ComponentKind.Helm);
        }
    }

    internal OpenShellComponentResource? ResourceFor(DeployStep step) => step switch
    {
        DeployStep.Builds or DeployStep.ImagePush or DeployStep.GatewayRollout => resources.Gateway,
        DeployStep.Supervisor => resources.Supervisor,
        DeployStep.HelmUpgrade => resources.Chart,
        _ => null,
    };

    internal void OnDeployEvent(DeployEvent e)
    {
        // The watcher's console gets the whole deploy log from the deployer itself; each component's console gets
        // the output of its own steps.
        var resource = ResourceFor(e.Step);
        if (resource is not null)
        {
            var logger = Log(resource);
            if (e.Kind == DeployEventKind.Failed)
            {
                logger.LogError("{Message}", e.Message);
            }
            else
            {
                logger.LogInformation("{Message}", e.Message);
            }
        }

        if (resource is not null && e.Kind == DeployEventKind.Started)
        {
            var state = e.Step switch
            {
                DeployStep.Builds => ResourceStates.Building,
                DeployStep.ImagePush => ResourceStates.Pushing,
                DeployStep.GatewayRollout => ResourceStates.RollingOut,
                DeployStep.Supervisor => ResourceStates.Copying,
                DeployStep.HelmUpgrade => ResourceStates.Upgrading,
                _ => null,
            };
            if (state is not null)
            {
                _ = notifications.PublishStateAsync(resource, state);
            }
        }

        if (resources.Watcher is { } watcher && e.Kind == DeployEventKind.Started)
        {
            var text = e.Step switch
            {
                DeployStep.ChangeDetection => "Planning",
                DeployStep.Builds => "Building gateway",
                DeployStep.Supervisor => "Building supervisor",
                DeployStep.ImagePush => "Pushing gateway",
                DeployStep.HelmUpgrade => "Upgrading chart",
                DeployStep.GatewayRollout => "Rolling out gateway",
                _ => null,
            };
            if (text is not null)
            {
                _ = notifications.PublishUpdateAsync(watcher, s => s with { State = new ResourceStateSnapshot(text, KnownResourceStateStyles.Info) });
            }
        }
    }

    private Task PublishWatcherTriggerAsync(DeployTrigger trigger) =>
        resources.Watcher is { } watcher
            ? notifications.PublishUpdateAsync(watcher, s => s with
            {
                Properties = ResourceStates.Merge(s.Properties,
                [
                    new("watcher.trigger", $"{trigger.Kind} #{trigger.Sequence}: {trigger.EventCount} change batch(es)"),
                    new("watcher.changedPaths", string.Join(", ", trigger.Paths.Take(20))),
                ]),
            })
            : Task.CompletedTask;

    private Task PublishWatcherStatusAsync(DevLoopWatcherResource resource, DeployLoopStatus status)
    {
        var (text, style) = status.State switch
        {
            DeployLoopState.Watching => ("Watching", KnownResourceStateStyles.Success),
            DeployLoopState.ChangesPending => ("Changes pending", KnownResourceStateStyles.Info),
            DeployLoopState.WaitingForGit => ("Waiting for git", KnownResourceStateStyles.Info),
            DeployLoopState.Deploying => ("Deploying", KnownResourceStateStyles.Info),
            DeployLoopState.UpToDate => ("Up to date", KnownResourceStateStyles.Success),
            DeployLoopState.Failed => ("Failed", KnownResourceStateStyles.Error),
            DeployLoopState.Paused => ("Paused", KnownResourceStateStyles.Warn),
            _ => (status.State.ToString(), KnownResourceStateStyles.Info),
        };
        return notifications.PublishUpdateAsync(resource, s => s with
        {
            State = new ResourceStateSnapshot(text, style),
            StartTimeStamp = s.StartTimeStamp ?? DateTime.UtcNow,
            Properties = ResourceStates.Merge(s.Properties,
            [
                new("watcher.reason", status.Reason ?? ""),
                new("watcher.queue", $"{status.PendingPaths} path(s) pending{(status.FollowUpQueued ? ", follow-up queued" : "")}"),
                new("watcher.health", status.WatchProblem ?? "watching with inotify"),
            ]),
        });
    }

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        if (_loop is not null)
        {
            await _loop.DisposeAsync();
        }

        _docker.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime bundle {Tarball} (from {Origin})")]
    private static partial void LogBundleSource(ILogger logger, string tarball, string origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verified {Name} {Version} for {Architecture}: {Files} payload entries")]
    private static partial void LogBundleVerified(ILogger logger, string name, string version, string architecture, int files);

    [LoggerMessage(Level = LogLevel.Error, Message = "Runtime bundle unusable: {Message}")]
    private static partial void LogBundleFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cluster failed: {Message}")]
    private static partial void LogClusterFailed(ILogger logger, string message);

    /// <summary>Routes deploy events to the resource of the step they belong to.</summary>
    private sealed class DeployProgressRouter(DevLoopCoordinator owner) : IProgress<DeployEvent>
    {
        public void Report(DeployEvent value) => owner.OnDeployEvent(value);
    }
}
