using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Session;

internal sealed partial class DevSession
{
    /// <summary>
    /// Deploys <paramref name="targets"/> (none: what the plan says). A request for the targets already deploying shares
    /// that deploy; any other waits for it, then runs. <paramref name="ct"/> stops the waiting, not a shared deploy.
    /// </summary>
    /// <param name="targets">The components to deploy; none deploys what the plan says.</param>
    /// <param name="progress">Receives the deploy's events.</param>
    /// <param name="ct">Stops the waiting.</param>
    /// <param name="trigger">What asked for the deploy (<see cref="Telemetry.DeployTriggers"/>), for its trace and the history.</param>
    /// <exception cref="DevLoopException">The deploy failed (its components show the failure), or the cluster is not up.</exception>
    public Task<DeployResult> DeployAsync(IReadOnlyList<string> targets, IProgress<DeployEvent>? progress, CancellationToken ct, string trigger = Telemetry.DeployTriggers.Command)
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
                running = _running = RunDeployAfterAsync(_running, targets, progress, trigger, _stopping.Token);
            }

            return running.WaitAsync(ct);
        }
    }

    private async Task<DeployResult> RunDeployAfterAsync(Task? previous, IReadOnlyList<string> targets, IProgress<DeployEvent>? progress, string trigger, CancellationToken ct)
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
            await WaitForEngineAsync(ct).ConfigureAwait(false);
            await CheckClusterAsync(ct).ConfigureAwait(false);

            // The cluster the session shows, whatever named it (OpenShell:Cluster:Name, CLUSTER_NAME or the folder).
            var request = DeployRequest.From(_settings, RepositoryRoot, targets);
            request = request with { PlanSettings = request.PlanSettings with { ClusterName = Paths.ClusterName }, PullProgress = _services.PullProgress, Trigger = trigger, Journal = _journal };
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

            // The component whose step failed; a failure of the deploy as a whole (the cluster, the state file) fails all.
            IEnumerable<string> failed = error is DeployException { Component: { } name } ? [name] : Catalog().Components.Select(c => c.Name);
            foreach (var component in failed)
            {
                Publish(new ComponentLog(component, $"Deploy failed at {error.StepName}: {error.Message}", IsError: true));
                Publish(new ComponentFailed(component, error));
            }

            throw error;
        }
    }

    // The container may have been removed or stopped since the session brought it up (docker rm, another terminal, a
    // reboot): say so before any step, instead of failing in whichever step first touches it. A running container whose
    // health check lags (a loaded machine) is left to the steps.
    // A node the engine left exited when it came back is started first (the engine watch may not have got to it yet).
    private async Task CheckClusterAsync(CancellationToken ct)
    {
        var decision = await _services.Cluster.DecideAsync(ct).ConfigureAwait(false);
        if (decision.Action == BootstrapAction.Start && Volatile.Read(ref _engineLost))
        {
            await StartStoppedNodeAsync(ct).ConfigureAwait(false);
            decision = await _services.Cluster.DecideAsync(ct).ConfigureAwait(false);
        }

        if (decision.ContainerRunning)
        {
            return;
        }

        var error = new DevLoopException(
            "Cluster",
            $"The cluster went away since it came up: {decision.Problem ?? decision.Reason}. Nothing was deployed.",
            null,
            RemedyAction.BringClusterUp);
        Publish(new ClusterChanged(ClusterPhase.Failed, error.Message, Error: error));
        throw error;
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
                var verified = result.Plan.Components.Select(c => result.Of(c.Component.Name)).OfType<ComponentOutcome>().Where(o => o.Sha256 is not null)
                    .ToDictionary(o => o.Component, o => new ObservedComponent(Sha256: o.Sha256, Version: o.Version), StringComparer.Ordinal);
                observed = await _services.Cluster.ReadDeployedAsync(cluster, [.. result.Plan.Components.Select(c => c.Component)], verified, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReadBackFailed(_loggers(DeployScope), ex.Message);
            }
        }

        foreach (var component in result.Plan.Components)
        {
            var name = component.Component.Name;
            var deployed = result.Deployed.Contains(name);
            var done = result.Of(name);
            var seen = observed.Of(name);
            var facts = new ComponentFacts(component.Fingerprint, deployed ? now : null, deployed ? result.Total : null);
            facts = component.Component.Kind switch
            {
                ComponentKind.Image => facts with { Image = done?.Image ?? seen.Image },
                ComponentKind.Binary => facts with
                {
                    Sha256 = done?.Sha256 ?? seen.Sha256,
                    Version = seen.Version,
                    NodePath = component.Component.Binary?.NodePath,
                },
                ComponentKind.Helm => facts with { ChartChecksum = done?.ChartChecksum ?? seen.ChartChecksum, HelmChartChanged = done?.HelmChartChanged ?? false },
                _ => facts,
            };
            Publish(new ComponentDeployed(name, component.Component.Kind, facts));
        }

        Publish(new DeployFinished(result, now));
    }

    private void OnDeployEvent(DeployEvent e)
    {
        // Every step of a component names it; planning and the whole deploy concern none in particular.
        IReadOnlyList<string> components = e.Component is { } name ? [name] : [];
        if (e.Kind == DeployEventKind.Started)
        {
            Publish(new DeployStepStarted(e.Step, components));
        }

        if (e is { Sha256: { } sha, Component: { } swapped })
        {
            Publish(new BinarySwapped(swapped, sha));
        }

        ComponentPhase? phase = e.Kind != DeployEventKind.Started ? null : e.Step switch
        {
            DeployStep.Builds => ComponentPhase.Building,
            DeployStep.ImagePush => ComponentPhase.Pushing,
            DeployStep.GatewayRollout => ComponentPhase.RollingOut,
            DeployStep.Supervisor => ComponentPhase.Copying,
            DeployStep.HelmUpgrade => ComponentPhase.Upgrading,
            DeployStep.SandboxVerification or DeployStep.GatewayProbe => ComponentPhase.Verifying,
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

    private static string Summary(DeployResult result) =>
        result.NothingToDo ? "no changes to deploy" : $"deployed {string.Join(", ", result.Deployed)} in {result.Total.TotalSeconds:0.0}s";

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
