using System.Net.Http;
using System.Text.Json;
using Docker.DotNet;
using k8s;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Verification;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Reads what is deployed in a cluster: an image component's fingerprint from the label of the image its StatefulSet runs
/// (asked of the registry by digest, as the node pulls it), a helm component's from its HelmChart's annotation, a binary
/// component's from the fingerprint file beside it on the node, checked against the binary's own sha256.
/// </summary>
/// <param name="docker">The engine the cluster container runs on.</param>
/// <param name="containerId">The cluster node container.</param>
/// <param name="kube">The cluster's API.</param>
/// <param name="ports">How this machine reaches the registry on the engine's loopback (null for an engine on this machine).</param>
public sealed class ClusterFingerprintSource(IDockerClient docker, string containerId, IKubernetes kube, IEnginePorts? ports = null) : IDeployedFingerprintSource
{
    /// <inheritdoc />
    public async Task<DeployedFingerprint> ReadAsync(ComponentDefinition component, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(component);
        return component.Kind switch
        {
            ComponentKind.Image => await ReadImageAsync(component, ct).ConfigureAwait(false),
            ComponentKind.Helm => await ReadChartAsync(component, ct).ConfigureAwait(false),
            _ => await ReadBinaryAsync(component, ct).ConfigureAwait(false),
        };
    }

    private async Task<DeployedFingerprint> ReadImageAsync(ComponentDefinition component, CancellationToken ct)
    {
        var settings = component.ImageSettings;
        var running = await GatewayRolloutWaiter.ReadImageAsync(kube, settings.WorkloadNamespace, settings.WorkloadName, ct).ConfigureAwait(false);
        var workload = $"StatefulSet {settings.WorkloadNamespace}/{settings.WorkloadName}";
        if (running is null)
        {
            return new DeployedFingerprint(component.Name, component.StateKey, $"{workload} (missing)", null);
        }

        var source = $"the image {workload} runs ({running})";
        try
        {
            return await GatewayImageBuilder.RegistryLabelsAsync(ImageReference.Parse(running), ports, ct).ConfigureAwait(false) is { } image
                ? new DeployedFingerprint(component.Name, component.StateKey, source, image.Labels.GetValueOrDefault(GatewayImageBuilder.FingerprintLabel))
                : new DeployedFingerprint(component.Name, component.StateKey, source, null) { Problem = $"the registry does not hold {running}, which {workload} runs" };
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new DeployedFingerprint(component.Name, component.StateKey, source, null) { Problem = $"the registry could not be asked for {running} ({ex.Message})" };
        }
    }

    private async Task<DeployedFingerprint> ReadChartAsync(ComponentDefinition component, CancellationToken ct)
    {
        var release = component.HelmSettings.Release;
        var chart = await HelmChartDeployer.ReadAsync(kube, release, ct).ConfigureAwait(false);
        return new DeployedFingerprint(component.Name, component.StateKey, $"HelmChart {HelmChartDeployer.Namespace}/{release}", HelmChartDeployer.FingerprintOf(chart));
    }

    private async Task<DeployedFingerprint> ReadBinaryAsync(ComponentDefinition component, CancellationToken ct)
    {
        var nodePath = component.BinarySettings.NodePath;
        var source = $"{nodePath}.fingerprint on the node";
        var file = await SupervisorDeployer.ReadNodeFingerprintAsync(docker, containerId, nodePath, ct).ConfigureAwait(false);
        if (file is null)
        {
            return new DeployedFingerprint(component.Name, component.StateKey, source, null);
        }

        var sha = await SupervisorDeployer.ReadNodeSha256Async(docker, containerId, nodePath, ct).ConfigureAwait(false);
        return sha == file.Sha256
            ? new DeployedFingerprint(component.Name, component.StateKey, source, file.Fingerprint)
            : new DeployedFingerprint(component.Name, component.StateKey, source, file.Fingerprint)
            {
                Problem = $"{nodePath} has sha256 {sha ?? "(missing)"}, its fingerprint file names {file.Sha256}",
            };
    }
}
