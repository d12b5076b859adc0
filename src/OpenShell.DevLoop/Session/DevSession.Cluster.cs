using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Session;

internal sealed partial class DevSession
{
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
            Publish(new ClusterChanged(decision.Action is BootstrapAction.Reuse or BootstrapAction.Start ? ClusterPhase.Starting : ClusterPhase.Bootstrapping, Describe(decision)));
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

    /// <summary>
    /// Starts the cluster node again when it exists and exited (the engine crashed or restarted under it), as
    /// <see cref="UpAsync"/> does, and tells the user in one line. One at a time; a node that runs, or is missing, is
    /// left as it is (a removed one is the user's to recreate).
    /// </summary>
    /// <returns>True when the node was started.</returns>
    /// <exception cref="DevLoopException">It could not be started (the cluster shows the failure).</exception>
    public async Task<bool> StartStoppedNodeAsync(CancellationToken ct)
    {
        await _startGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var decision = await DecideAsync(ct).ConfigureAwait(false);
            if (decision.Action != BootstrapAction.Start)
            {
                return false;
            }

            var up = await UpAsync(recreate: false, null, ct).ConfigureAwait(false);
            var node = ClusterName.ContainerName(Paths.ClusterName);
            var line = up.Decision.Action == BootstrapAction.Start
                ? $"cluster node {node} was stopped (exit {decision.ExitCode ?? 0}) when the engine came back; started it again"
                : $"cluster node {node} was stopped (exit {decision.ExitCode ?? 0}) when the engine came back and exited again when started; {Describe(up.Decision)}";
            LogNodeStarted(_loggers(ClusterScope), line);
            Publish(new ClusterChanged(ClusterPhase.Running, line, up));
            return true;
        }
        finally
        {
            _startGate.Release();
        }
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
            // With --skip-sync the settings already refused a missing remote tarball; a synthetic bundle is no remedy there.
            var error = ex is RuntimeBundleException { Rule: BundleRule.SourceNotConfigured } missing && !_settings.RuntimeBundle.SkipSync
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

    private static string Describe(BootstrapDecision decision) => $"{decision.Action}: {decision.Reason}";
}
