using Grpc.Net.Client;
using k8s;
using k8s.Models;
using OpenShell.KubeSim;
using OpenShell.Server.Tests.Hosting;

namespace OpenShell.Server.Tests.Sandboxes;

/// <summary>
/// A real gateway over mTLS whose Kubernetes API is the simulator, with the <c>openshell</c> namespace and clients on a
/// channel that presents the gateway's client certificate.
/// </summary>
internal sealed class GatewayOnKubeSim : IAsyncDisposable
{
    internal const string Namespace = "openshell";

    private GatewayOnKubeSim(KubeSimServer sim, IKubernetes kubernetes, TestGateway gateway, GrpcChannel channel)
    {
        Sim = sim;
        Kubernetes = kubernetes;
        Gateway = gateway;
        Channel = channel;
        Sandboxes = new Core.V1.Sandboxes.SandboxesClient(channel);
        Supervisor = new Core.V1.Supervisor.SupervisorClient(channel);
    }

    internal KubeSimServer Sim { get; }

    internal IKubernetes Kubernetes { get; }

    internal TestGateway Gateway { get; }

    internal GrpcChannel Channel { get; }

    internal Core.V1.Sandboxes.SandboxesClient Sandboxes { get; }

    internal Core.V1.Supervisor.SupervisorClient Supervisor { get; }

    /// <summary>Starts the simulator (pods start after <paramref name="podStartDelay"/>) and the gateway on it.</summary>
    internal static async Task<GatewayOnKubeSim> StartAsync(TimeSpan podStartDelay)
    {
        var sim = await KubeSimServer.StartAsync(new KubeSimOptions { PodStartDelay = podStartDelay });
        var kubernetes = sim.CreateClient();
        await kubernetes.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        var gateway = await TestGateway.StartAsync(o => o with { KubeconfigPath = sim.KubeconfigPath, SandboxNamespace = Namespace });
        return new GatewayOnKubeSim(sim, kubernetes, gateway, gateway.CreateChannel(gateway.Client.Certificate));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Gateway.DisposeAsync();
        Kubernetes.Dispose();
        await Sim.DisposeAsync();
    }
}
