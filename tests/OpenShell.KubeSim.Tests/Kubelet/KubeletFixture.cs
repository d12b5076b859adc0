using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using OpenShell.DevLoop.Docker;
using OpenShell.KubeSim.Kubelet;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests.Kubelet;

/// <summary>
/// One simulator with the Docker kubelet per test class, on its own Docker network and node id (so its containers are
/// its own), with a hostPath root in a temp folder. Tests isolate themselves in their own namespaces. The engine is
/// only touched when a test asks for <see cref="StartAsync"/> (a [RequiresDocker] test), so a machine without one skips.
/// </summary>
public sealed class KubeletFixture : IAsyncLifetime
{
    /// <summary>A small image with bash, curl and perl (built by eng/offline-images.sh).</summary>
    public static readonly string ShellImage = $"{OfflinePrefix}/debian:bookworm";

    /// <summary>An image that serves HTTP on 5000 (<c>/v2/</c> answers 200).</summary>
    public static readonly string HttpImage = $"{OfflinePrefix}/registry:2";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private KubeSimServer? _server;

    public string NodeId { get; } = TestNames.Unique("oskub-node");

    public string Network { get; } = TestNames.Unique("oskub-net");

    public TempDirectory HostRoot { get; } = new("oskub-hostroot");

    public DockerClient Docker { get; } = DockerEngine.CreateClient();

    public KubeSimServer Server => _server ?? throw new InvalidOperationException("StartAsync first.");

    public IKubernetes Client { get; private set; } = null!;

    private static string OfflinePrefix => Environment.GetEnvironmentVariable("OPENSHELL_OFFLINE_PREFIX") is { Length: > 0 } prefix ? prefix : "openshell-offline";

    /// <summary>Starts the simulator (once) with the kubelet on.</summary>
    public async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_server is not null)
            {
                return;
            }

            await Docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = Network, Labels = new Dictionary<string, string> { ["oskub-test"] = "true" } });
            var options = new KubeSimOptions
            {
                RolloutDelay = TimeSpan.FromMilliseconds(50),
                HelmJobDelay = TimeSpan.FromMilliseconds(50),
            };
            options.Kubelet.Mode = KubeletMode.Docker;
            options.Kubelet.Network = Network;
            options.Kubelet.NodeId = NodeId;
            options.Kubelet.ApiHost = "host.docker.internal";
            options.Kubelet.PauseImage = ShellImage;
            options.Kubelet.HostPathRoot = HostRoot.Path;
            options.Kubelet.RestartBackoff = TimeSpan.FromMilliseconds(200);
            options.Kubelet.MaxRestartBackoff = TimeSpan.FromSeconds(1);
            options.Kubelet.PullTimeout = TimeSpan.FromSeconds(20);
            options.Kubelet.ExtraHosts.Add("host.docker.internal:host-gateway");
            _server = await KubeSimServer.StartAsync(options);
            Client = _server.CreateClient();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The engine's containers of this node, optionally only those of one pod.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync(string? podUid = null)
    {
        var labels = new Dictionary<string, bool> { [$"{KubeletLabels.Node}={NodeId}"] = true };
        if (podUid is not null)
        {
            labels[$"{KubeletLabels.PodUid}={podUid}"] = true;
        }

        return await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            Client.Dispose();
            await _server.DisposeAsync();
            foreach (var leftover in await ContainersAsync())
            {
                await Docker.Containers.RemoveContainerAsync(leftover.ID, new ContainerRemoveParameters { Force = true });
            }

            await Docker.Networks.DeleteNetworkAsync(Network);
        }

        Docker.Dispose();
        HostRoot.Dispose();
        _gate.Dispose();
    }
}
