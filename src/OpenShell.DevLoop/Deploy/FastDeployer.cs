using System.Diagnostics;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Telemetry;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The fast deploy shared by <c>openshell-dev deploy</c> and the AppHost, driven by the component catalogue: plan → each
/// image component (publish, image, push, digest) and, beside them, each binary component (publish, atomic swap in the
/// node, sha256 check) → each chart (HelmChart update, its images pinned by digest) → each image's rollout wait → state
/// file. One deployer per kind (<see cref="ComponentDeployers"/>) does the work; this class orders it, names every step
/// after its component and records only the components that deployed. One deploy at a time per checkout (a lock file
/// under <c>.cache/</c>). Keep one instance per process.
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

    /// <summary>The folder on the node that sandbox pods mount (hostPath): a binary swapped there reaches them.</summary>
    private const string SandboxMountedDirectory = SupervisorDeployer.NodeDirectory;

    /// <summary>Printed at the end of a successful deploy.</summary>
    public const string CompleteLine = "Deploy complete!";

    private readonly ComponentDeployers _deployers;
    private readonly DeployPlanner _planner;
    private readonly ILogger _logger;

    /// <summary>
    /// Creates a deployer that talks to the engine through <paramref name="docker"/> and dials the ports published on its
    /// loopback through <paramref name="ports"/> (null for an engine on this machine). <paramref name="warmCompile"/> keeps
    /// the supervisor's and the gateway's compilations alive between deploys (a long-lived front end; a one-shot one publishes with MSBuild).
    /// </summary>
    public FastDeployer(IDockerClient docker, OpenShellSettings settings, ILogger logger, DeployPlanner? planner = null, Engine.IEnginePorts? ports = null, bool warmCompile = false)
        : this(ComponentDeployers.ForDocker(
                docker ?? throw new ArgumentNullException(nameof(docker)),
                settings ?? throw new ArgumentNullException(nameof(settings)),
                logger ?? throw new ArgumentNullException(nameof(logger)),
                ports ?? Engine.LoopbackEnginePorts.Instance,
                warmCompile),
            logger, planner ?? new DeployPlanner(new DockerClusterContainerLocator(docker)))
    {
    }

    /// <summary>Creates a deployer over the given kind deployers (fakes in tests).</summary>
    internal FastDeployer(ComponentDeployers deployers, ILogger logger, DeployPlanner planner)
    {
        ArgumentNullException.ThrowIfNull(deployers);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(planner);
        _deployers = deployers;
        _logger = logger;
        _planner = planner;
    }

    /// <summary>The line printed when binary <paramref name="component"/> was swapped (upstream's, for the supervisor).</summary>
    public static string BinaryUpdatedLine(string component)
    {
        ArgumentException.ThrowIfNullOrEmpty(component);
        return $"{char.ToUpperInvariant(component[0])}{component[1..]} binary updated on cluster node.";
    }

    /// <summary>The line printed when image <paramref name="component"/> rolls to a new digest (upstream's, for the gateway).</summary>
    public static string RestartLineOf(string component) => $"Restarting {component} to pick up updated image...";

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
        run.LockTaken();
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
            throw new DeployException(ex.Step, ex.Message, ex.InnerException) { Steps = run.Steps, Action = ex.Action, Remedy = ex.Remedy, Component = ex.Component };
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not InvalidTargetException)
        {
            // Work between the steps (cluster check, architecture, kubeconfig, state file) fails as the deploy as a whole.
            var remedy = (ex as Errors.DevLoopException)?.Remedy;
            var failure = new DeployException(DeployStep.Total, ex.Message, ex) { Remedy = remedy };
            run.Total(total.Elapsed, succeeded: false, failure);
            throw new DeployException(DeployStep.Total, ex.Message, ex) { Steps = run.Steps, Remedy = remedy };
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
        var planRequest = new PlanRequest(root, request.Targets, request.PlanSettings) { Journal = request.Journal };
        var plan = await run.StepAsync(DeployStep.ChangeDetection, null, async () =>
        {
            var planned = await RequireImagesInRegistryAsync(await _planner.PlanAsync(planRequest, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
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
            return new DeployResult(plan, run.Steps, [], new Dictionary<string, ComponentOutcome>(StringComparer.Ordinal), false);
        }

        using var target = await _deployers.Cluster.PrepareAsync(root, plan, request, ct).ConfigureAwait(false);
        var outcomes = new ComponentOutcomes();

        // Binaries depend on no image or chart: each runs beside them (their publishes take turns at the gate).
        var binaries = new List<Task>();
        foreach (var binary in plan.OfKind(ComponentKind.Binary))
        {
            if (binary.Rebuild)
            {
                binaries.Add(DeployBinaryAsync(binary.Component, target, run, outcomes, ct));
            }
            else
            {
                run.Skip(DeployStep.Supervisor, binary.Component.Name, $"the {binary.Component.Name} is up to date");
            }
        }

        DeployException? failure = null;
        try
        {
            await DeployImagesAndChartsAsync(plan, target, request, run, outcomes, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Work between the steps (reading what runs, the API) fails the deploy as a whole, after the binaries ended.
            failure = ex as DeployException ?? new DeployException(DeployStep.Total, ex.Message, ex) { Remedy = (ex as Errors.DevLoopException)?.Remedy };
        }

        foreach (var binary in binaries)
        {
            try
            {
                await binary.ConfigureAwait(false);
            }
            catch (DeployException ex)
            {
                failure ??= ex;
            }
        }

        if (failure is null && request.VerifyWithSandbox)
        {
            failure = await ProbeGatewaysAsync(plan, target, run, outcomes, ct).ConfigureAwait(false);
            if (failure is not null)
            {
                // No sandbox can prove the supervisor without a serving gateway: it stays unrecorded as well.
                foreach (var (name, _) in SupervisorsToVerify(plan, outcomes))
                {
                    outcomes.Remove(name);
                }
            }
            else
            {
                failure = await VerifySupervisorsAsync(plan, target, run, outcomes, ct).ConfigureAwait(false);
            }
        }

        var succeeded = plan.Components.Where(c => c.Rebuild && outcomes.Has(c.Component.Name)).Select(c => c.Component.Name).ToList();
        if (failure is not null)
        {
            if (plan.ShouldRecordState)
            {
                await PartialDeployState.RecordAsync(plan, succeeded, ct).ConfigureAwait(false);
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
        return new DeployResult(plan, run.Steps, succeeded, outcomes.Snapshot(), stateWritten);
    }

    // The state says an image is deployed, but a registry that lost its volume no longer holds it: the pod keeps running
    // from the node's cache until it moves, then cannot pull. Such an image is built and pushed again. A registry that
    // cannot be asked changes nothing here; the push of a changed image says what is wrong with it.
    private async Task<DeployPlan> RequireImagesInRegistryAsync(DeployPlan plan, CancellationToken ct)
    {
        if (plan.Mode != PlanMode.Automatic)
        {
            return plan;
        }

        List<ComponentPlan>? decided = null;
        foreach (var image in plan.OfKind(ComponentKind.Image).Where(i => !i.Rebuild && i.RecordedFingerprint is not null))
        {
            if (await _deployers.Image.RegistryHoldsAsync(image.Component, image.Fingerprint, ct).ConfigureAwait(false) == false)
            {
                decided ??= [.. plan.Components];
                decided[decided.IndexOf(image)] = image with
                {
                    Rebuild = true,
                    Reasons = [new(RebuildReasonKind.MissingFromRegistry,
                        $"the registry no longer holds the {image.Component.Name} image the state records (was its volume removed?): it is built and pushed again")],
                };
            }
        }

        if (decided is null)
        {
            return plan;
        }

        // As the planner decides it: a rebuilt image rolls out through the chart that pins it.
        foreach (var chart in plan.OfKind(ComponentKind.Helm).Where(c => !c.Rebuild))
        {
            var lost = decided.Where(d => d.Rebuild && d.Component.Kind == ComponentKind.Image && d.Component.ImageSettings.Chart == chart.Component.Name).Select(d => d.Component.Name).ToList();
            if (lost.Count > 0)
            {
                decided[decided.IndexOf(chart)] = chart with
                {
                    Rebuild = true,
                    Reasons = [new(RebuildReasonKind.ImpliedByImage, $"the {string.Join(", ", lost)} image is rebuilt and rolls out through a Helm upgrade")],
                };
            }
        }

        return plan.WithComponents(decided);
    }

    // Images are built and pushed, then each chart is applied with its images pinned, then each new image rolls out.
    // The first failure ends this sequence; a component after it keeps its recorded state.
    private async Task DeployImagesAndChartsAsync(DeployPlan plan, DeployTarget target, DeployRequest request, DeployRun run, ComponentOutcomes outcomes, CancellationToken ct)
    {
        var images = plan.OfKind(ComponentKind.Image).ToList();
        var charts = plan.OfKind(ComponentKind.Helm).ToList();
        var pushed = new Dictionary<string, GatewayImage>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var component = image.Component;
            var name = component.Name;
            if (!image.Rebuild)
            {
                run.Skip(DeployStep.Builds, name, $"the {name} is up to date");
                run.Skip(DeployStep.ImagePush, name, $"no new {name} image");
                continue;
            }

            await run.StepAsync(DeployStep.Builds, name, async () =>
            {
                var tag = await _deployers.Image.BuildAsync(component, target, run, ct).ConfigureAwait(false);
                return (tag, $"built {tag}");
            }).ConfigureAwait(false);
            pushed[name] = await run.StepAsync(DeployStep.ImagePush, name, async () =>
            {
                run.Line(DeployStep.ImagePush, PushLine, name);
                var built = await _deployers.Image.PushAsync(component, target, run, ct).ConfigureAwait(false);
                run.Pushed(name, built);
                return (built, built.Pushed ? $"pushed {built.Tag} ({built.Digest})" : $"same content as {built.Digest} in the registry: nothing pushed");
            }).ConfigureAwait(false);
        }

        var rebuilt = images.Where(i => i.Rebuild).Select(i => i.Component).ToList();
        var toApply = charts.Where(c => c.Rebuild || rebuilt.Any(i => i.ImageSettings.Chart == c.Component.Name)).Select(c => c.Component.Name).ToHashSet(StringComparer.Ordinal);
        if (toApply.Count == 0)
        {
            foreach (var chart in charts)
            {
                run.Skip(DeployStep.HelmUpgrade, chart.Component.Name, $"the {chart.Component.Name} is up to date");
            }

            foreach (var image in images)
            {
                run.Skip(DeployStep.GatewayRollout, image.Component.Name, $"the {image.Component.Name} is up to date");
            }

            return;
        }

        // Read before the charts change: an image whose StatefulSet already runs it does not roll.
        var running = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var image in rebuilt.Where(i => i.ImageSettings.Chart is { } chart && toApply.Contains(chart)))
        {
            running[image.Name] = await _deployers.Image.ReadRunningImageAsync(image, target, ct).ConfigureAwait(false);
        }

        var applied = new Dictionary<string, ChartApplied>(StringComparer.Ordinal);
        foreach (var chart in charts.Select(c => c.Component))
        {
            if (!toApply.Contains(chart.Name))
            {
                run.Skip(DeployStep.HelmUpgrade, chart.Name, $"the {chart.Name} is up to date");
                continue;
            }

            var pinned = images.Select(i => i.Component).Where(i => i.ImageSettings.Chart == chart.Name).ToList();
            var pins = pinned.Select(i => new ImagePin(
                i.ImageSettings.ValuesKey,
                pushed.TryGetValue(i.Name, out var image) ? image.Repository : _deployers.Image.RepositoryOf(i),
                image?.Digest)).ToList();

            // A new image is ready once k3s's helm job ran; a chart alone is waited for only when asked (DEPLOY_FAST_HELM_WAIT).
            var waitForJob = pinned.Any(i => pushed.ContainsKey(i.Name)) || request.HelmWait;
            var update = await run.StepAsync(DeployStep.HelmUpgrade, chart.Name, async () =>
            {
                run.Line(DeployStep.HelmUpgrade, HelmLine, chart.Name);
                var result = await _deployers.Helm.ApplyAsync(chart, pins, waitForJob, target, run, ct).ConfigureAwait(false);
                return (result, result.Changed
                    ? $"HelmChart updated (chart {result.ChartChecksum[..Math.Min(12, result.ChartChecksum.Length)]}{(result.Images.Count > 0 ? $", image {string.Join(", ", result.Images.Values)}" : "")})"
                    : "HelmChart unchanged (same chart and values): no new Helm revision");
            }).ConfigureAwait(false);
            applied[chart.Name] = update;
            outcomes.Add(new ComponentOutcome(chart.Name, ComponentKind.Helm) { ChartChecksum = update.ChartChecksum, HelmChartChanged = update.Changed });
        }

        foreach (var image in images.Select(i => i.Component))
        {
            await RollOutAsync(image, pushed.GetValueOrDefault(image.Name), applied, running, target, run, outcomes, ct).ConfigureAwait(false);
        }
    }

    private async Task RollOutAsync(
        ComponentDefinition image, GatewayImage? pushed, Dictionary<string, ChartApplied> applied, Dictionary<string, string?> running,
        DeployTarget target, DeployRun run, ComponentOutcomes outcomes, CancellationToken ct)
    {
        var name = image.Name;
        if (pushed is null)
        {
            run.Skip(DeployStep.GatewayRollout, name, $"the {name} image did not change");
            return;
        }

        if (image.ImageSettings.Chart is not { } chart || !applied.TryGetValue(chart, out var update))
        {
            // No chart pins it: the image is in the registry for whatever pulls it.
            run.Skip(DeployStep.GatewayRollout, name, $"no chart pins the {name} image: pushed only");
            outcomes.Add(new ComponentOutcome(name, ComponentKind.Image) { Image = pushed.Pinned, Digest = pushed.Digest });
            return;
        }

        var expected = update.Images.GetValueOrDefault(image.ImageSettings.ValuesKey) ?? pushed.Pinned;
        var previous = running.GetValueOrDefault(name);
        if (!update.Changed && previous == expected)
        {
            run.Skip(DeployStep.GatewayRollout, name, $"the {name} already runs {expected}: nothing rolls");
            outcomes.Add(new ComponentOutcome(name, ComponentKind.Image) { Image = expected, Digest = pushed.Digest });
            return;
        }

        var rolls = previous != expected;
        await run.StepAsync(DeployStep.GatewayRollout, name, async () =>
        {
            if (rolls)
            {
                run.Line(DeployStep.GatewayRollout, RestartLineOf(name), name);
            }

            await _deployers.Image.WaitForRolloutAsync(image, expected, target, run, ct).ConfigureAwait(false);
            return (true, $"the {name} runs {expected}");
        }).ConfigureAwait(false);
        outcomes.Add(new ComponentOutcome(name, ComponentKind.Image) { Image = expected, Digest = pushed.Digest, Rolled = rolls });
    }

    // A gateway that rolled out is done when its new pod answers over mTLS, as the user's client reaches it; an
    // unproven gateway is not recorded as deployed. Sandboxes are verified after this, through the proven gateway.
    private async Task<DeployException?> ProbeGatewaysAsync(DeployPlan plan, DeployTarget target, DeployRun run, ComponentOutcomes outcomes, CancellationToken ct)
    {
        if (_deployers.Sandbox is not { } verifier)
        {
            return null;
        }

        foreach (var image in plan.OfKind(ComponentKind.Image).Where(i => i.Rebuild && i.Component.ImageSettings.IsGateway))
        {
            var name = image.Component.Name;
            if (outcomes.Get(name) is not { Rolled: true })
            {
                continue;
            }

            try
            {
                await run.StepAsync(DeployStep.GatewayProbe, name, async () =>
                {
                    var answer = await verifier.ProbeGatewayAsync(target, name, ct).ConfigureAwait(false);
                    return (answer, answer);
                }).ConfigureAwait(false);
            }
            catch (DeployException ex)
            {
                outcomes.Remove(name);
                return ex;
            }
        }

        return null;
    }

    // Only the binary sandboxes mount can be proven by a sandbox; it is proven after the gateway and chart are done,
    // so the sandbox comes from the gateway this deploy left running. An unproven binary is not recorded as deployed.
    private async Task<DeployException?> VerifySupervisorsAsync(DeployPlan plan, DeployTarget target, DeployRun run, ComponentOutcomes outcomes, CancellationToken ct)
    {
        if (_deployers.Sandbox is not { } verifier)
        {
            return null;
        }

        foreach (var (name, sha) in SupervisorsToVerify(plan, outcomes))
        {
            try
            {
                var (_, version) = await run.StepAsync(DeployStep.SandboxVerification, name, async () =>
                {
                    var proof = await verifier.VerifyAsync(target, name, sha, ct).ConfigureAwait(false);
                    return (proof, $"sandbox {proof.Sandbox} registered with {name} sha256 {sha}");
                }).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(version))
                {
                    outcomes.Update(name, swapped => swapped with { Version = version });
                }
            }
            catch (DeployException ex)
            {
                outcomes.Remove(name);
                return ex;
            }
        }

        return null;
    }

    // The swapped binaries a sandbox mounts, with the sha256 each was swapped to.
    private static List<(string Name, string Sha256)> SupervisorsToVerify(DeployPlan plan, ComponentOutcomes outcomes) =>
        [.. plan.OfKind(ComponentKind.Binary)
            .Where(b => b.Rebuild && b.Component.BinarySettings.NodePath == Core.SupervisorEnvironment.SupervisorPath)
            .Select(b => (b.Component.Name, Sha256: outcomes.Snapshot().GetValueOrDefault(b.Component.Name)?.Sha256))
            .Where(b => b.Sha256 is not null)
            .Select(b => (b.Name, b.Sha256!))];

    private Task DeployBinaryAsync(ComponentDefinition binary, DeployTarget target, DeployRun run, ComponentOutcomes outcomes, CancellationToken ct) =>
        run.StepAsync(DeployStep.Supervisor, binary.Name, async () =>
        {
            var settings = binary.BinarySettings;
            var sha = await _deployers.Binary.DeployAsync(binary, target, run, ct).ConfigureAwait(false);
            run.Swapped(binary.Name, settings.NodePath, sha);
            run.Line(DeployStep.Supervisor, BinaryUpdatedLine(binary.Name), binary.Name);
            if (settings.NodeDirectory == SandboxMountedDirectory)
            {
                run.Line(DeployStep.Supervisor, SupervisorPodsLine, binary.Name);
            }

            outcomes.Add(new ComponentOutcome(binary.Name, ComponentKind.Binary) { Sha256 = sha, NodePath = settings.NodePath });
            return (sha, $"{settings.NodePath} sha256 {sha}");
        });

    private static string Summary(DeployPlan plan) =>
        string.Join(", ", plan.Components.Select(c => $"{c.Component.Name} {(c.Rebuild ? "rebuild" : "up to date")}"));
}
