using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Pki;
using OpenShell.DevLoop.Registry;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// Bootstraps, reuses, inspects and removes the cluster node container, as upstream's <c>mise run cluster</c> does:
/// no container → create; not healthy → recreate with a fresh volume; healthy → reuse; and, beyond upstream, exited → start
/// it again with its volume (recreate only when it exits again). Each decision is logged with
/// its reason; after a bootstrap the fast-deploy state file is removed. The ports the node and the registry publish on
/// the engine's loopback are dialled through <see cref="IEnginePorts"/> (as they are for an engine on this machine).
/// </summary>
/// <param name="docker">The engine.</param>
/// <param name="settings">The resolved settings.</param>
/// <param name="paths">The cluster's files.</param>
/// <param name="logger">Where decisions and progress go.</param>
/// <param name="ports">How this machine reaches the engine's published ports; null for an engine on this machine.</param>
public sealed partial class ClusterLifecycle(IDockerClient docker, OpenShellSettings settings, ClusterPaths paths, ILogger logger, IEnginePorts? ports = null)
{
    private readonly IEnginePorts _ports = ports ?? LoopbackEnginePorts.Instance;

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);

    // Why the API was not reachable yet, for the timeout message.
    private string? _lastWaitError;

    /// <summary>Reads what the engine offers for GPUs (the preflight's input); the engine's own <c>/info</c> by default.</summary>
    public Func<CancellationToken, Task<EngineGpuSupport>> ReadGpuSupport { get; init; } =
        ct => EngineInfo.ReadGpuSupportAsync(DockerEngine.Endpoint, ct);

    /// <summary>The container name of this cluster.</summary>
    public string ContainerName => ClusterName.ContainerName(paths.ClusterName);

    /// <summary>The node container, or null when there is none.</summary>
    public async Task<ContainerInspectResponse?> InspectAsync(CancellationToken ct = default)
    {
        try
        {
            return await docker.Containers.InspectContainerAsync(ContainerName, ct).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Decides what <see cref="UpAsync"/> would do.</summary>
    public async Task<BootstrapDecision> DecideAsync(CancellationToken ct = default) =>
        BootstrapDecision.Decide(ContainerName, await InspectAsync(ct).ConfigureAwait(false));

    /// <summary>
    /// Brings the cluster up. <paramref name="buildImage"/> builds the cluster image before a bootstrap (skipped when
    /// <c>SkipImageBuild</c> is set; the image must then exist).
    /// </summary>
    /// <exception cref="GpuUnavailableException">GPUs are asked for and the engine cannot serve them (nothing was created or written).</exception>
    public async Task<ClusterUpResult> UpAsync(Func<CancellationToken, Task>? buildImage, string? stateFileOverride = null, CancellationToken ct = default)
    {
        await CheckGpuAsync(ct).ConfigureAwait(false);
        var decision = await DecideAsync(ct).ConfigureAwait(false);
        LogDecision(logger, decision.Action, decision.Reason);
        // A port free on this machine says nothing about the engine's: a remote engine picks one unless GATEWAY_PORT is set.
        var gatewayPort = _ports.SharesLoopback
            ? await GatewayPortStore.ResolveAsync(paths.EnvFile, paths.ClusterName, settings.Cluster.GatewayPort, ct).ConfigureAwait(false)
            : settings.Cluster.GatewayPort ?? 0;

        if (decision.Action == BootstrapAction.Reuse)
        {
            // A registry removed or stopped since the bootstrap (killed during a push, its volume removed) is brought
            // back before a deploy pushes to it.
            await LocalRegistryContainer.EnsureAsync(docker, settings, settings.Cluster.Network, logger, _ports, ct).ConfigureAwait(false);
            var existing = (await InspectAsync(ct).ConfigureAwait(false))!;
            var kept = KeptSecurity(existing);
            var reusedApiPort = KubeconfigExtractor.ApiHostPort(existing);
            await KubeconfigExtractor.ExtractAsync(docker, _ports, existing.ID, reusedApiPort, paths.Kubeconfig, ct).ConfigureAwait(false);
            await EnsureSecretsAsync(existing.Config?.Hostname, ct).ConfigureAwait(false);
            await GatewaySecurityRecord.WriteAsync(paths, kept, ct).ConfigureAwait(false);
            return await ResultAsync(decision, existing, reusedApiPort, gatewayPort, kept, ct).ConfigureAwait(false);
        }

        if (decision.Action == BootstrapAction.Start)
        {
            if (await StartAgainAsync(decision, gatewayPort, stateFileOverride, ct).ConfigureAwait(false) is { } started)
            {
                return started;
            }

            decision = decision with
            {
                Action = BootstrapAction.Recreate,
                Reason = $"{decision.Reason}, but it exited again; it is removed with its volume and bootstrapped again",
            };
            LogDecision(logger, decision.Action, decision.Reason);
        }

        if (decision.Action == BootstrapAction.Recreate)
        {
            await RemoveAsync(removeVolume: true, ct).ConfigureAwait(false);
        }

        // The socket the node mounts is a path on the engine's machine: for an ssh:// engine the remote socket, for a
        // tcp:// one the socket OpenShell:Engine:RemoteSocket names (the engine's machine's standard one by default).
        var engine = DockerEngine.Connection(settings.Engine);
        var socket = engine.SocketOnEngineHost ?? (string.IsNullOrWhiteSpace(settings.Engine.RemoteSocket) ? null : settings.Engine.RemoteSocket.Trim());
        var publishAddress = engine.PortPlan(settings.Cluster.RemoteBindAddress, settings.Engine.SshTunnel).BindAddress;
        var spec = ClusterContainerSpecFactory.Create(settings, paths.ClusterName, gatewayPort, socket, publishAddress);
        await LocalRegistryContainer.EnsureAsync(docker, settings, spec.Network, logger, _ports, ct).ConfigureAwait(false);
        if (!settings.Cluster.SkipImageBuild && buildImage is not null)
        {
            await buildImage(ct).ConfigureAwait(false);
        }
        else
        {
            await EnsureImagePresentAsync(spec.Image, ct).ConfigureAwait(false);
        }

        await docker.Volumes.CreateAsync(new VolumesCreateParameters
        {
            Name = spec.VolumeName,
            Labels = new Dictionary<string, string> { [ClusterContainerSpec.ClusterLabel] = spec.ClusterName },
        }, ct).ConfigureAwait(false);
        var created = await docker.Containers.CreateContainerAsync(ClusterContainerParameters.From(spec), ct).ConfigureAwait(false);
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct).ConfigureAwait(false);
        LogStarted(logger, spec.ContainerName, spec.Image, spec.Privileged);

        var container = await docker.Containers.InspectContainerAsync(created.ID, ct).ConfigureAwait(false);
        var apiPort = KubeconfigExtractor.ApiHostPort(container);
        await WaitReadyAsync(container, apiPort, ct).ConfigureAwait(false);

        var stateFile = paths.StateFile(stateFileOverride);
        if (File.Exists(stateFile))
        {
            File.Delete(stateFile);
            LogStateRemoved(logger, stateFile);
        }

        var security = GatewaySecurityModes.FromEnvironment(container.Config?.Env);
        await GatewaySecurityRecord.WriteAsync(paths, security, ct).ConfigureAwait(false);
        return await ResultAsync(decision, container, apiPort, gatewayPort, security, ct).ConfigureAwait(false);
    }

    // Starts the exited node again and waits for it as a bootstrap does; its volume, state file and security mode stay.
    // Null when it exits again: it cannot be started and is recreated.
    private async Task<ClusterUpResult?> StartAgainAsync(BootstrapDecision decision, int gatewayPort, string? stateFileOverride, CancellationToken ct)
    {
        await LocalRegistryContainer.EnsureAsync(docker, settings, settings.Cluster.Network, logger, _ports, ct).ConfigureAwait(false);
        var stopped = (await InspectAsync(ct).ConfigureAwait(false))!;
        await docker.Containers.StartContainerAsync(stopped.ID, new ContainerStartParameters(), ct).ConfigureAwait(false);
        LogStartedAgain(logger, ContainerName, decision.ExitCode ?? 0);

        // Published ports the engine picked are picked again on a start: read them afresh.
        var container = await docker.Containers.InspectContainerAsync(stopped.ID, ct).ConfigureAwait(false);
        try
        {
            var apiPort = KubeconfigExtractor.ApiHostPort(container);
            await WaitReadyAsync(container, apiPort, ct).ConfigureAwait(false);
            await ForgetStateNotDeployedAsync(container.ID, paths.StateFile(stateFileOverride), ct).ConfigureAwait(false);
            var kept = KeptSecurity(container);
            await GatewaySecurityRecord.WriteAsync(paths, kept, ct).ConfigureAwait(false);
            return await ResultAsync(decision, container, apiPort, gatewayPort, kept, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // A health timeout of a node that runs is the bootstrap's failure; one that stopped again is beyond a start.
            if (await InspectAsync(ct).ConfigureAwait(false) is not { State.Running: false })
            {
                throw;
            }

            LogExitedAgain(logger, ContainerName, ex.Message);
            return null;
        }
    }

    // What the node held may not have survived its stop (a Kubernetes datastore that is not on the volume, a node that
    // re-applies its bootstrap manifests): the state file stays only when the cluster still carries every fingerprint it
    // records; otherwise, or when that cannot be read, it goes, as after a bootstrap, and the next deploy deploys everything.
    private async Task ForgetStateNotDeployedAsync(string containerId, string stateFile, CancellationToken ct)
    {
        if (!File.Exists(stateFile))
        {
            return;
        }

        string? why;
        try
        {
            var state = (await new DeployStateStore(stateFile).ReadAsync(ct).ConfigureAwait(false)).State;
            if (state is null || state.Fingerprints.Count == 0)
            {
                return;
            }

            using var kube = CreateKubernetesClient();
            var source = new ClusterFingerprintSource(docker, containerId, kube, _ports);
            var deployed = await DeployedFingerprints.ReadAsync(ComponentCatalog.Load(paths.RepositoryRoot).Components, source, ct).ConfigureAwait(false);
            var differences = DeployedFingerprints.Compare(state, deployed);
            why = differences.Count == 0 ? null : string.Join(" | ", differences);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            why = $"what the cluster carries could not be read: {ex.Message}";
        }

        if (why is not null)
        {
            File.Delete(stateFile);
            LogStateNotDeployed(logger, stateFile, why);
        }
    }

    // Waits for the API (writing the kubeconfig), the gateway's secrets and the health check, within the health timeout.
    private async Task WaitReadyAsync(ContainerInspectResponse container, int apiPort, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.Cluster.HealthTimeoutSeconds));
        try
        {
            await WaitForKubeconfigAsync(container.ID, apiPort, timeout.Token).ConfigureAwait(false);
            await EnsureSecretsAsync(container.Config?.Hostname, timeout.Token).ConfigureAwait(false);
            await WaitHealthyAsync(container.ID, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var status = await StatusAsync(ct).ConfigureAwait(false);
            var logs = await ContainerLogs.TailAsync(docker, container.ID, 30, ct).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"Cluster {ContainerName} did not become healthy within {settings.Cluster.HealthTimeoutSeconds} s (health: {status.Health ?? "none"}; last check: {status.LastHealthOutput?.Trim() ?? "none"}" +
                (_lastWaitError is null ? ").\n" : $"; API not reachable: {_lastWaitError}).\n") +
                $"Last log lines:\n{logs}\nInspect it with 'docker logs {ContainerName}', or raise OpenShell:Cluster:HealthTimeoutSeconds.");
        }
    }

    // The mode a reused node keeps (see GatewaySecurityModes.Keep); said when it is not the one the settings ask for.
    private GatewaySecurity KeptSecurity(ContainerInspectResponse container)
    {
        var current = GatewaySecurityModes.FromEnvironment(container.Config?.Env);
        var kept = GatewaySecurityModes.Keep(ContainerName, current, settings.Cluster.GatewaySecurity);
        if (kept != settings.Cluster.GatewaySecurity)
        {
            LogSecurityKept(logger, ContainerName, kept.Describe(), kept.Switch() ?? "");
        }

        return kept;
    }

    // The result names the ports this machine dials, so every reader of it reaches the node wherever the engine runs. The
    // gateway's is read back from the container: the engine picked it when none was asked for.
    private async Task<ClusterUpResult> ResultAsync(
        BootstrapDecision decision, ContainerInspectResponse container, int apiPort, int gatewayPort, GatewaySecurity security, CancellationToken ct)
    {
        var publishedGateway = PublishedPort.Of(container, settings.Cluster.GatewayNodePort) ?? gatewayPort;
        if (publishedGateway == 0)
        {
            throw new InvalidOperationException(
                $"Container {ContainerName} does not publish the gateway's port {settings.Cluster.GatewayNodePort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/tcp; remove it with 'openshell-dev cluster down' and run 'cluster up' again.");
        }

        var result = new ClusterUpResult(decision, container.ID, paths.Kubeconfig,
            await _ports.LocalPortAsync(apiPort, ct).ConfigureAwait(false),
            await _ports.LocalPortAsync(publishedGateway, ct).ConfigureAwait(false))
        {
            Security = security,
        };

        if (security.IsInsecure())
        {
            LogInsecure(logger, ContainerName, security.Describe(), security.Risk());
        }

        // The registry too, now: a forward added later restarts ssh under the connections the deploys hold open.
        await _ports.LocalPortAsync(settings.Registry.HostPort, ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>Fails before anything is created when GPUs are asked for and the engine cannot serve them.</summary>
    public async Task CheckGpuAsync(CancellationToken ct = default)
    {
        if (!settings.Cluster.Gpu)
        {
            return;
        }

        var engine = await ReadGpuSupport(ct).ConfigureAwait(false);
        if (GpuPreflight.Check(engine, settings.Cluster.GpuMode) is { } problem)
        {
            throw new GpuUnavailableException(problem);
        }

        LogGpuReady(logger, settings.Cluster.GpuMode, engine.ServerVersion);
    }

    /// <summary>Removes the node container, and its volume when asked. Returns false when there was nothing to remove.</summary>
    public async Task<bool> RemoveAsync(bool removeVolume, CancellationToken ct = default)
    {
        var removed = false;
        try
        {
            await docker.Containers.RemoveContainerAsync(ContainerName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct).ConfigureAwait(false);
            removed = true;
            LogRemoved(logger, ContainerName);
        }
        catch (DockerContainerNotFoundException)
        {
        }

        // The containers the node ran pods in (OpenShell:Cluster:RunPods) outlive it otherwise.
        var pods = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ClusterContainerSpec.PodNodeLabel}={ContainerName}"] = true },
            },
        }, ct).ConfigureAwait(false);
        foreach (var pod in pods)
        {
            await docker.Containers.RemoveContainerAsync(pod.ID, new ContainerRemoveParameters { Force = true }, ct).ConfigureAwait(false);
        }

        if (pods.Count > 0)
        {
            LogPodContainersRemoved(logger, pods.Count, ContainerName);
        }

        if (removeVolume)
        {
            try
            {
                await docker.Volumes.RemoveAsync(ContainerName, force: true, ct).ConfigureAwait(false);
                removed = true;
                LogVolumeRemoved(logger, ContainerName);
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }

        return removed;
    }

    /// <summary>The node's state as the engine reports it.</summary>
    public async Task<ClusterStatus> StatusAsync(CancellationToken ct = default)
    {
        var container = await InspectAsync(ct).ConfigureAwait(false);
        if (container is null)
        {
            return new ClusterStatus(ContainerName, false, null, null, null, null, null);
        }

        int? apiPort = null;
        try
        {
            apiPort = KubeconfigExtractor.ApiHostPort(container);
        }
        catch (InvalidOperationException)
        {
            // Not running: no published port.
        }

        var lastCheck = container.State?.Health?.Log is { Count: > 0 } log ? log[^1].Output : null;
        return new ClusterStatus(ContainerName, true, container.State?.Status, container.State?.Health?.Status, container.Config?.Image, apiPort, lastCheck);
    }

    /// <summary>A client for the cluster's API through the kubeconfig written by <see cref="UpAsync"/>.</summary>
    public IKubernetes CreateKubernetesClient() =>
        new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(paths.Kubeconfig));

    // k3s registers the node under the container's hostname.
    private async Task EnsureSecretsAsync(string? nodeName, CancellationToken ct)
    {
        using var kube = CreateKubernetesClient();
        await ClusterSecrets.EnsureAsync(kube, paths.PkiDirectory, nodeName, logger, ct).ConfigureAwait(false);
    }

    private async Task EnsureImagePresentAsync(string image, CancellationToken ct)
    {
        try
        {
            await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"The cluster image {image} is not present and its build is skipped (SKIP_CLUSTER_IMAGE_BUILD); run 'openshell-dev cluster build-image' or unset SKIP_CLUSTER_IMAGE_BUILD.", ex);
        }
    }

    private async Task WaitForKubeconfigAsync(string containerId, int apiPort, CancellationToken ct)
    {
        while (true)
        {
            await ThrowIfExitedAsync(containerId, ct).ConfigureAwait(false);
            try
            {
                await KubeconfigExtractor.ExtractAsync(docker, _ports, containerId, apiPort, paths.Kubeconfig, ct).ConfigureAwait(false);
                using var kube = CreateKubernetesClient();
                await kube.CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: ct).ConfigureAwait(false);
                LogApiReady(logger, await _ports.LocalPortAsync(apiPort, ct).ConfigureAwait(false), paths.Kubeconfig);
                _lastWaitError = null;
                return;
            }
            catch (Exception ex) when (ex is KubeconfigNotReadyException or HttpRequestException or k8s.Autorest.HttpOperationException or IOException
                || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                _lastWaitError = ex.Message;
                await Task.Delay(s_pollInterval, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitHealthyAsync(string containerId, CancellationToken ct)
    {
        while (true)
        {
            var container = await ThrowIfExitedAsync(containerId, ct).ConfigureAwait(false);
            if (container.State?.Health?.Status == "healthy")
            {
                LogHealthy(logger, ContainerName);
                return;
            }

            await Task.Delay(s_pollInterval, ct).ConfigureAwait(false);
        }
    }

    private async Task<ContainerInspectResponse> ThrowIfExitedAsync(string containerId, CancellationToken ct)
    {
        var container = await docker.Containers.InspectContainerAsync(containerId, ct).ConfigureAwait(false);
        if (container.State is { Running: false } state && state.Status is "exited" or "dead")
        {
            var logs = await ContainerLogs.TailAsync(docker, containerId, 30, ct).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"Cluster container {ContainerName} exited with code {state.ExitCode}{(string.IsNullOrEmpty(state.Error) ? "" : $" ({state.Error})")}. Last log lines:\n{logs}");
        }

        return container;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GPU preflight passed: mode {Mode} on Docker {Version}")]
    private static partial void LogGpuReady(ILogger logger, string mode, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap decision: {Action}: {Reason}")]
    private static partial void LogDecision(ILogger logger, BootstrapAction action, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "INSECURE: {Container} serves its gateway with security={Security}: {Risk}")]
    private static partial void LogInsecure(ILogger logger, string container, string security, string risk);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Container} keeps security={Security}, the mode it was created with ({Switch}); recreate it without that switch to have mTLS again")]
    private static partial void LogSecurityKept(ILogger logger, string container, string security, string @switch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Container} from {Image} (privileged: {Privileged})")]
    private static partial void LogStarted(ILogger logger, string container, string image, bool privileged);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Started {Container} again (it had exited with code {ExitCode}); waiting for its health")]
    private static partial void LogStartedAgain(ILogger logger, string container, long exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the fast-deploy state file {Path}: the started node no longer carries what it records ({Why}); the next deploy deploys everything")]
    private static partial void LogStateNotDeployed(ILogger logger, string path, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Container} exited again after its start: {Message}")]
    private static partial void LogExitedAgain(ILogger logger, string container, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes API ready on 127.0.0.1:{Port}; kubeconfig {Path}")]
    private static partial void LogApiReady(ILogger logger, int port, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Container} is healthy")]
    private static partial void LogHealthy(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed container {Container}")]
    private static partial void LogRemoved(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed volume {Volume}")]
    private static partial void LogVolumeRemoved(ILogger logger, string volume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} pod container(s) of node {Node}")]
    private static partial void LogPodContainersRemoved(ILogger logger, int count, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the fast-deploy state file {Path}: the next deploy recomputes from scratch")]
    private static partial void LogStateRemoved(ILogger logger, string path);
}
