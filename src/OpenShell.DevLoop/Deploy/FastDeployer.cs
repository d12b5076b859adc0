using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The fast deploy shared by <c>openshell-dev deploy</c> and the AppHost: plan → gateway (publish, image, push, digest) and
/// supervisor (publish, atomic swap in the node, sha256 check) → chart (HelmChart update pinned by digest) → rollout wait →
/// state file. One deploy at a time per checkout (a lock file under <c>.cache/</c>). Keep one instance per process.
/// </summary>
public sealed partial class FastDeployer : Session.IDeployer
{
    /// <summary>The line printed when the supervisor was swapped.</summary>
    public const string SupervisorUpdatedLine = "Supervisor binary updated on cluster node.";

    /// <summary>What the swap means for sandbox pods (hostPath mount).</summary>
    public const string SupervisorPodsLine = "Existing sandbox pods use it on their next restart; new sandbox pods use it at once.";

    /// <summary>Printed before the gateway image push.</summary>
    public const string PushLine = "Pushing updated images to local registry...";

    /// <summary>Printed before the HelmChart update.</summary>
    public const string HelmLine = "Upgrading helm release...";

    /// <summary>Printed when a new gateway digest rolls out.</summary>
    public const string RestartLine = "Restarting gateway to pick up updated image...";

    /// <summary>Printed at the end of a successful deploy.</summary>
    public const string CompleteLine = "Deploy complete!";

    private readonly IDockerClient _docker;
    private readonly OpenShellSettings _settings;
    private readonly DeployPlanner _planner;
    private readonly ILogger _logger;

    // The gateway and the supervisor share projects (OpenShell.Core): two publishes at once would write the same outputs.
    private readonly SemaphoreSlim _publishGate = new(1, 1);

    /// <summary>Creates a deployer that talks to the engine through <paramref name="docker"/>.</summary>
    public FastDeployer(IDockerClient docker, OpenShellSettings settings, ILogger logger, DeployPlanner? planner = null)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        _docker = docker;
        _settings = settings;
        _logger = logger;
        _planner = planner ?? new DeployPlanner(new DockerClusterContainerLocator());
    }

    /// <summary>
    /// Deploys what the plan says. Requires a running, healthy cluster container (bootstrap it with
    /// <see cref="ClusterLifecycle.UpAsync"/> first). Reports every step through <paramref name="progress"/> and the logger.
    /// </summary>
    /// <exception cref="InvalidTargetException">A target word names no component.</exception>
    /// <exception cref="DeployException">A step failed; its message has the cause and the fix.</exception>
    public async Task<DeployResult> DeployAsync(DeployRequest request, IProgress<DeployEvent>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var run = new DeployRun(progress, _logger, request.Trigger);
        GitRepository repository;
        try
        {
            repository = GitRepository.Discover(request.RepositoryRoot);
        }
        catch (GitException ex)
        {
            throw new DeployException(DeployStep.ChangeDetection, ex.Message, ex);
        }

        using var checkoutLock = await DeployLock.AcquireAsync(repository.Root, request.LockTimeout,
            () => run.Line(DeployStep.Total, DeployLock.WaitingMessage), ct).ConfigureAwait(false);
        var total = Stopwatch.StartNew();
        try
        {
            var result = await DeployLockedAsync(repository.Root, request, run, total, ct).ConfigureAwait(false);
            return result;
        }
        catch (InvalidTargetException ex)
        {
            // The caller's mistake keeps its own type; the trace and the history still record a failed plan.
            run.Total(total.Elapsed, succeeded: false, new DeployException(DeployStep.ChangeDetection, ex.Message, ex));
            throw;
        }
        catch (DeployException ex)
        {
            run.Total(total.Elapsed, succeeded: false, ex);
            throw new DeployException(ex.Step, ex.Message, ex.InnerException) { Steps = run.Steps, Action = ex.Action, Remedy = ex.Remedy };
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not InvalidTargetException)
        {
            // Work between the steps (cluster check, architecture, kubeconfig, state file) fails as the deploy as a whole.
            var failure = new DeployException(DeployStep.Total, ex.Message, ex);
            run.Total(total.Elapsed, succeeded: false, failure);
            throw new DeployException(DeployStep.Total, ex.Message, ex) { Steps = run.Steps };
        }
        finally
        {
            // Written under the checkout lock, after the deploy ended (a cancelled one too).
            run.Dispose();
            await run.AppendHistoryAsync(repository.Root).ConfigureAwait(false);
        }
    }

    private async Task<DeployResult> DeployLockedAsync(string root, DeployRequest request, DeployRun run, Stopwatch total, CancellationToken ct)
    {
        var planRequest = new PlanRequest(root, request.Targets, request.PlanSettings);
        var plan = await run.StepAsync(DeployStep.ChangeDetection, async () =>
        {
            var planned = await _planner.PlanAsync(planRequest, ct).ConfigureAwait(false);
            run.Planned(planned);
            foreach (var line in DeployPlanText.Render(planned, explain: false).TrimEnd('\n').Split('\n'))
            {
                run.Line(DeployStep.ChangeDetection, line);
            }

            return (planned, planned.NothingToDo ? DeployPlanText.NothingToDo : Summary(planned));
        }).ConfigureAwait(false);

        if (plan.NothingToDo)
        {
            run.Total(total.Elapsed, succeeded: true);
            return new DeployResult(plan, run.Steps, [], null, null, null, null, false, false, false);
        }

        var container = await RequireHealthyClusterAsync(plan, ct).ConfigureAwait(false);
        var gateway = plan.OfKind(ComponentKind.Image).FirstOrDefault(c => c.Rebuild);
        var supervisor = plan.OfKind(ComponentKind.Binary).FirstOrDefault(c => c.Rebuild);
        var chart = plan.OfKind(ComponentKind.Helm).FirstOrDefault(c => c.Rebuild);
        var architecture = await ClusterArchitecture.ReadAsync(_docker, container.Image, ct).ConfigureAwait(false);

        // The supervisor does not depend on the gateway or the chart: it runs beside them.
        var supervisorTask = supervisor is null
            ? Task.FromResult<string?>(null)
            : DeploySupervisorAsync(root, container.ID, architecture, request.SupervisorBuild, run, ct);
        if (supervisor is null)
        {
            run.Skip(DeployStep.Supervisor, "the supervisor is up to date");
        }

        var outcome = new GatewayOutcome();
        DeployException? failure = null;
        try
        {
            await DeployGatewayAndChartAsync(root, plan, container, architecture, gateway, chart, request, run, outcome, ct).ConfigureAwait(false);
        }
        catch (DeployException ex)
        {
            failure = ex;
        }

        string? supervisorSha = null;
        try
        {
            supervisorSha = await supervisorTask.ConfigureAwait(false);
        }
        catch (DeployException ex)
        {
            failure ??= ex;
        }

        var succeeded = new List<string>();
        if (gateway is not null && outcome.GatewayDone)
        {
            succeeded.Add(gateway.Component.Name);
        }

        if (chart is not null && outcome.ChartDone)
        {
            succeeded.Add(chart.Component.Name);
        }

        if (supervisor is not null && supervisorSha is not null)
        {
            succeeded.Add(supervisor.Component.Name);
        }

        if (failure is not null)
        {
            if (plan.ShouldRecordState)
            {
                await RecordPartialStateAsync(plan, succeeded, ct).ConfigureAwait(false);
            }

            throw failure;
        }

        var stateWritten = false;
        if (plan.ShouldRecordState)
        {
            await new DeployStateStore(plan.StatePath).WriteAsync(plan.ToState(), plan.StateKeyOrder, ct).ConfigureAwait(false);
            stateWritten = true;
        }

        run.Line(DeployStep.Total, DeployStepLabels.TookLine(DeployStep.Total, total.Elapsed));
        run.Line(DeployStep.Total, CompleteLine);
        run.Total(total.Elapsed, succeeded: true);
        return new DeployResult(plan, run.Steps, succeeded, outcome.Image, outcome.Digest, supervisorSha, outcome.ChartChecksum,
            outcome.HelmChartChanged, outcome.Rolled, stateWritten);
    }

    private async Task DeployGatewayAndChartAsync(
        string root, DeployPlan plan, ContainerInspectResponse container, string architecture,
        ComponentPlan? gateway, ComponentPlan? chart, DeployRequest request, DeployRun run, GatewayOutcome outcome, CancellationToken ct)
    {
        var tag = $"{_settings.Cluster.ImageRepoBase}/gateway:{_settings.Cluster.ImageTag}";
        GatewayImage? pushed = null;
        if (gateway is not null)
        {
            await run.StepAsync(DeployStep.Builds, async () =>
            {
                var output = GatewayPublisher.DefaultOutputDirectory(root, architecture);
                run.Progress(DeployStep.Builds, $"dotnet publish {GatewayPublisher.ProjectPath} for linux/{architecture}");
                await run.PhaseAsync(DeployStep.Builds, DeploySpanNames.PublishGateway,
                    () => PublishExclusiveAsync(() => GatewayPublisher.PublishAsync(root, architecture, output, _logger, ct), ct)).ConfigureAwait(false);
                run.Progress(DeployStep.Builds, $"building image {tag} on {_settings.Images.RuntimeDeps}");
                await run.PhaseAsync(DeployStep.Builds, DeploySpanNames.ImageBuild, async () =>
                {
                    await GatewayImageBuilder.BuildAsync(_docker, root, output, tag, _settings.Images.RuntimeDeps, _logger, request.PullProgress, ct).ConfigureAwait(false);
                    return tag;
                }).ConfigureAwait(false);
                return (true, $"built {tag}");
            }).ConfigureAwait(false);

            pushed = await run.StepAsync(DeployStep.ImagePush, async () =>
            {
                run.Line(DeployStep.ImagePush, PushLine);
                var image = await GatewayImageBuilder.PushAsync(_docker, tag, _logger, line => run.Progress(DeployStep.ImagePush, line), ct).ConfigureAwait(false);
                run.Pushed(image);
                return (image, image.Pushed ? $"pushed {image.Tag} ({image.Digest})" : $"same content as {image.Digest} in the registry: nothing pushed");
            }).ConfigureAwait(false);
            outcome.Digest = pushed.Digest;
        }
        else
        {
            run.Skip(DeployStep.Builds, "the gateway is up to date");
            run.Skip(DeployStep.ImagePush, "no new gateway image");
        }

        if (chart is null && gateway is null)
        {
            run.Skip(DeployStep.HelmUpgrade, "the chart is up to date");
            run.Skip(DeployStep.GatewayRollout, "the gateway is up to date");
            return;
        }

        using var kube = await CreateKubernetesClientAsync(root, plan.ClusterName, container, ct).ConfigureAwait(false);
        var previousImage = await GatewayRolloutWaiter.ReadImageAsync(kube, ct).ConfigureAwait(false);
        var update = await run.StepAsync(DeployStep.HelmUpgrade, async () =>
        {
            run.Line(DeployStep.HelmUpgrade, HelmLine);
            if (await HelmChartDeployer.EnsureSshHandshakeSecretAsync(kube, ct).ConfigureAwait(false))
            {
                run.Progress(DeployStep.HelmUpgrade, "created the SSH handshake secret");
            }

            var packaged = await ChartPackager.PackAsync(Path.Combine(root, "deploy", "helm", "openshell"), new CachePaths(root).ChartPackage, ct).ConfigureAwait(false);
            outcome.ChartChecksum = packaged.Sha256;
            var repository = pushed?.Repository ?? $"{_settings.Cluster.ImageRepoBase}/gateway";
            var applied = await HelmChartDeployer.ApplyAsync(kube, packaged, new GatewayValues(repository, pushed?.Digest, packaged.Sha256), ct).ConfigureAwait(false);
            if (!applied.Changed)
            {
                return (applied, "HelmChart unchanged (same chart and values): no new Helm revision");
            }

            if (gateway is not null || request.HelmWait)
            {
                await HelmJobWaiter.WaitAsync(kube, applied.PreviousJobUid, request.RolloutTimeout, m => run.Progress(DeployStep.HelmUpgrade, m), ct).ConfigureAwait(false);
            }

            return (applied, $"HelmChart updated (chart {packaged.Sha256[..12]}, image {applied.Image})");
        }).ConfigureAwait(false);
        outcome.HelmChartChanged = update.Changed;
        outcome.Image = update.Image;
        outcome.ChartDone = true;

        if (gateway is null)
        {
            run.Skip(DeployStep.GatewayRollout, "the gateway image did not change");
            return;
        }

        if (!update.Changed && previousImage == update.Image)
        {
            run.Skip(DeployStep.GatewayRollout, $"the gateway already runs {update.Image}: nothing rolls");
            outcome.GatewayDone = true;
            return;
        }

        await run.StepAsync(DeployStep.GatewayRollout, async () =>
        {
            if (previousImage != update.Image)
            {
                run.Line(DeployStep.GatewayRollout, RestartLine);
                outcome.Rolled = true;
            }

            await GatewayRolloutWaiter.WaitAsync(kube, update.Image, request.RolloutTimeout, m => run.Progress(DeployStep.GatewayRollout, m), ct).ConfigureAwait(false);
            return (true, $"the gateway runs {update.Image}");
        }).ConfigureAwait(false);
        outcome.GatewayDone = true;
    }

    private Task<string?> DeploySupervisorAsync(string root, string containerId, string architecture, SupervisorBuild build, DeployRun run, CancellationToken ct) =>
        run.StepAsync<string?>(DeployStep.Supervisor, async () =>
        {
            var output = SupervisorPublisher.DefaultOutputDirectory(root, architecture, build);
            run.Progress(DeployStep.Supervisor, $"dotnet publish {SupervisorPublisher.ProjectPath} for linux/{architecture} ({build.ToString().ToLowerInvariant()} build)");
            var binary = await run.PhaseAsync(DeployStep.Supervisor, DeploySpanNames.PublishSupervisor,
                () => PublishExclusiveAsync(() => SupervisorPublisher.PublishAsync(root, architecture, output, build, _logger, ct), ct)).ConfigureAwait(false);
            run.Progress(DeployStep.Supervisor, $"copying {SupervisorPublisher.BinaryName} into the cluster node");
            var sha = await run.PhaseAsync(DeployStep.Supervisor, DeploySpanNames.SupervisorSwap,
                () => SupervisorDeployer.DeployAsync(_docker, containerId, binary, ct),
                sha => [new(TelemetryTags.SupervisorSha256, sha)]).ConfigureAwait(false);
            run.Line(DeployStep.Supervisor, SupervisorUpdatedLine);
            run.Line(DeployStep.Supervisor, SupervisorPodsLine);
            return (sha, $"{SupervisorDeployer.NodePath} sha256 {sha}");
        });

    private async Task<string> PublishExclusiveAsync(Func<Task<string>> publish, CancellationToken ct)
    {
        await _publishGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await publish().ConfigureAwait(false);
        }
        finally
        {
            _publishGate.Release();
        }
    }

    private async Task<ContainerInspectResponse> RequireHealthyClusterAsync(DeployPlan plan, CancellationToken ct)
    {
        ContainerInspectResponse? container = null;
        try
        {
            container = await _docker.Containers.InspectContainerAsync(plan.ContainerName, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }

        var decision = BootstrapDecision.Decide(plan.ContainerName, container);
        if (decision.Action != BootstrapAction.Reuse || container is null)
        {
            throw new DeployException(DeployStep.ChangeDetection, $"The cluster is not ready for a fast deploy: {decision.Reason}.")
            {
                Action = RemedyAction.BringClusterUp,
            };
        }

        return container;
    }

    private async Task<IKubernetes> CreateKubernetesClientAsync(string root, string clusterName, ContainerInspectResponse container, CancellationToken ct)
    {
        // Read afresh each time: a recreated container publishes its API on another port.
        var paths = new ClusterPaths(root, clusterName);
        await KubeconfigExtractor.ExtractAsync(_docker, container.ID, KubeconfigExtractor.ApiHostPort(container), paths.Kubeconfig, ct).ConfigureAwait(false);

        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(paths.Kubeconfig));
    }

    // A failed step leaves its component's recorded fingerprint as it was; the components that did deploy are recorded.
    private static async Task RecordPartialStateAsync(DeployPlan plan, IReadOnlyCollection<string> succeeded, CancellationToken ct)
    {
        var state = plan.ToState(succeeded);
        var fingerprints = new Dictionary<string, string>(state.Fingerprints, StringComparer.Ordinal);
        foreach (var component in plan.Components.Where(c => c.Rebuild && !succeeded.Contains(c.Component.Name)))
        {
            if (component.RecordedFingerprint is { } recorded)
            {
                fingerprints[component.Component.StateKey] = recorded;
            }
        }

        var partial = state with { Fingerprints = fingerprints };
        var text = DeployStateStore.Format(partial, plan.StateKeyOrder);
        var existing = File.Exists(plan.StatePath) ? await File.ReadAllTextAsync(plan.StatePath, ct).ConfigureAwait(false) : null;
        if (existing != text && (existing is not null || succeeded.Count > 0))
        {
            await new DeployStateStore(plan.StatePath).WriteAsync(partial, plan.StateKeyOrder, ct).ConfigureAwait(false);
        }
    }

    private static string Summary(DeployPlan plan) =>
        string.Join(", ", plan.Components.Select(c => $"{c.Component.Name} {(c.Rebuild ? "rebuild" : "up to date")}"));

    private sealed class GatewayOutcome
    {
        public string? Digest { get; set; }

        public string? Image { get; set; }

        public string? ChartChecksum { get; set; }

        public bool HelmChartChanged { get; set; }

        public bool Rolled { get; set; }

        public bool ChartDone { get; set; }

        public bool GatewayDone { get; set; }
    }
}
