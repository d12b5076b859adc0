using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The cluster node through the Docker engine: refuses one that is not running and healthy, reads its architecture and
/// kubeconfig, talks to its API with transient failures retried (<see cref="KubernetesApiRetryHandler"/>), and reaches its published ports through <paramref name="ports"/> (asked afresh for each deploy, so a
/// forward whose ssh exited opens again).
/// </summary>
internal sealed class DockerDeployCluster(IDockerClient docker, int gatewayNodePort, IEnginePorts ports) : IDeployCluster
{
    public async Task<DeployTarget> PrepareAsync(string repositoryRoot, DeployPlan plan, DeployRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var container = await RequireHealthyClusterAsync(plan, ct).ConfigureAwait(false);
        var architecture = await ClusterArchitecture.ReadAsync(docker, container.Image, ct).ConfigureAwait(false);
        var gateway = PublishedPort.Of(container, gatewayNodePort) is { } published ? await ports.LocalPortAsync(published, ct).ConfigureAwait(false) : (int?)null;
        return new DeployTarget(repositoryRoot, plan, request, container.ID, architecture,
            connectCt => ConnectAsync(repositoryRoot, plan.ClusterName, container, connectCt), gateway, ports);
    }

    private async Task<ContainerInspectResponse> RequireHealthyClusterAsync(DeployPlan plan, CancellationToken ct)
    {
        ContainerInspectResponse? container = null;
        try
        {
            container = await docker.Containers.InspectContainerAsync(plan.ContainerName, ct).ConfigureAwait(false);
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

    private async Task<IKubernetes> ConnectAsync(string root, string clusterName, ContainerInspectResponse container, CancellationToken ct)
    {
        // Read afresh for each deploy: a recreated container publishes its API on another port.
        var paths = new ClusterPaths(root, clusterName);
        await KubeconfigExtractor.ExtractAsync(docker, ports, container.ID, KubeconfigExtractor.ApiHostPort(container), paths.Kubeconfig, ct).ConfigureAwait(false);
        return KubernetesClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(paths.Kubeconfig));
    }
}
