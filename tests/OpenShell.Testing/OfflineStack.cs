using System.Net;
using System.Net.Sockets;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;

namespace OpenShell.Testing;

/// <summary>
/// One set of unique names for a whole offline AppHost stack (cluster, registry, network, image tag), the AppHost switches
/// that point it at them and at a checkout, and the removal of everything they name.
/// </summary>
public sealed class OfflineStack
{
    public string Name { get; } = "t" + Guid.NewGuid().ToString("N")[..8];

    public int RegistryPort { get; } = LoopbackPorts.Free();

    public string ClusterContainer => $"openshell-cluster-{Name}";

    public string RegistryContainer => $"openshell-test-registry-{Name}";

    /// <summary>The configuration switches that point the AppHost at <paramref name="repositoryRoot"/> and at the unique names.</summary>
    public string[] Switches(string repositoryRoot) =>
    [
        $"--OpenShell:DevHost:RepositoryRoot={repositoryRoot}",
        $"--OpenShell:Registry:HostPort={RegistryPort}",
        $"--OpenShell:Registry:ContainerName={RegistryContainer}",
        $"--OpenShell:Registry:VolumeName={RegistryContainer}-data",
        "--OpenShell:Registry:Persistent=false",
        $"--OpenShell:Cluster:Name={Name}",
        $"--OpenShell:Cluster:ImageTag={Name}",
        $"--OpenShell:Cluster:Network=openshell-test-{Name}",
        $"--OpenShell:Cluster:ImageRepoBase=127.0.0.1:{RegistryPort}/openshell",
        $"--OpenShell:Images:SupervisorCache={TestCaches.ReleaseSupervisors}",
    ];

    /// <summary>
    /// Removes the registry container a previous AppHost of this stack left: Aspire removes session containers some
    /// seconds after the AppHost stops, and a new one cannot start under the same name before that.
    /// </summary>
    public async Task ReleaseRegistryAsync()
    {
        using var docker = DockerEngine.CreateClient();
        try
        {
            await docker.Containers.RemoveContainerAsync(RegistryContainer, new ContainerRemoveParameters { Force = true });
        }
        catch (Docker.DotNet.DockerContainerNotFoundException)
        {
            // Nothing left behind.
        }
    }

    /// <summary>Removes everything the stack's names name, as far as it exists: the node's pods, node, registry, volumes, network, images.</summary>
    public async Task RemoveAsync()
    {
        using var docker = DockerEngine.CreateClient();
        // The node ran its pods (sandboxes, the gateway) as containers of their own on the engine: they go too.
        var pods = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ClusterContainerSpec.PodNodeLabel}={ClusterContainer}"] = true },
            },
        });
        foreach (var action in pods.Select(p => (Func<Task>)(() => docker.Containers.RemoveContainerAsync(p.ID, new ContainerRemoveParameters { Force = true }))).Concat(new Func<Task>[]
        {
            () => docker.Containers.RemoveContainerAsync(ClusterContainer, new ContainerRemoveParameters { Force = true }),
            () => docker.Containers.RemoveContainerAsync(RegistryContainer, new ContainerRemoveParameters { Force = true }),
            () => docker.Volumes.RemoveAsync(ClusterContainer, force: true),
            () => docker.Volumes.RemoveAsync(RegistryContainer + "-data", force: true),
            () => docker.Networks.DeleteNetworkAsync($"openshell-test-{Name}"),
            () => docker.Images.DeleteImageAsync($"openshell/cluster:{Name}", new ImageDeleteParameters { Force = true }),
            // IMAGE_TAG (the cluster image tag setting) names the gateway image too.
            () => docker.Images.DeleteImageAsync($"127.0.0.1:{RegistryPort}/openshell/gateway:{Name}", new ImageDeleteParameters { Force = true }),
        }))
        {
            try
            {
                await action();
            }
            catch (Exception)
            {
                // Best effort: a failed run may not have created everything.
            }
        }
    }
}
