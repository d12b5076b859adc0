using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Session;

/// <summary>The cluster node as the session drives it (Docker behind it; a fake in tests).</summary>
internal interface IClusterController
{
    /// <summary>The architecture the cluster runs (the k3s base image's).</summary>
    Task<string> ReadArchitectureAsync(CancellationToken ct);

    /// <summary>What <see cref="UpAsync"/> would do.</summary>
    Task<BootstrapDecision> DecideAsync(CancellationToken ct);

    /// <summary>Brings the cluster up; <paramref name="bundleTarball"/> is asked for only when the cluster image is built.</summary>
    Task<ClusterUpResult> UpAsync(Func<CancellationToken, Task<string>> bundleTarball, ILogger logger, CancellationToken ct);

    /// <summary>Removes the node container and its volume.</summary>
    Task RemoveAsync(ILogger logger, CancellationToken ct);

    /// <summary>
    /// Reads what the cluster runs for each of <paramref name="components"/>. What a deploy has just verified on the node
    /// (<paramref name="verified"/>, by component name: a binary's sha256, and its version when a sandbox reported it)
    /// is not read again.
    /// </summary>
    Task<DeployedState> ReadDeployedAsync(
        ClusterUpResult cluster, IReadOnlyList<ComponentDefinition> components, IReadOnlyDictionary<string, ObservedComponent> verified, CancellationToken ct);
}
