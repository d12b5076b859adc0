using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Kubelet;
using OpenShell.KubeSim.Store;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests.Kubelet;

/// <summary>kube-proxy's part without an engine: a node port forwards to a ready pod, and not to one that is terminating.</summary>
public sealed class NodePortEndpointTests
{
    [Fact]
    public async Task A_node_port_stops_forwarding_to_a_pod_once_it_is_terminating()
    {
        var store = new ObjectStore { GracefulPodDeletion = true };
        store.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } });
        using var backend = new TcpListener(IPAddress.Loopback, 0);
        backend.Start();
        var backendPort = ((IPEndPoint)backend.LocalEndpoint).Port;
        store.Create(ResourceCatalog.Pods, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "web", ["labels"] = new JsonObject { ["app"] = "web" } },
            ["spec"] = new JsonObject { ["nodeName"] = "k3s-sim", ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox:1" }) },
        });
        store.Update(ResourceCatalog.Pods, "default", "web", pod =>
        {
            pod["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["podIP"] = "127.0.0.1",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            };
            return pod;
        }, statusOnly: true);
        var nodePort = LoopbackPorts.Free();
        store.Create(ResourceCatalog.Services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "web" },
            ["spec"] = new JsonObject
            {
                ["type"] = "NodePort",
                ["selector"] = new JsonObject { ["app"] = "web" },
                ["ports"] = new JsonArray(new JsonObject { ["port"] = 80, ["targetPort"] = backendPort, ["nodePort"] = nodePort }),
            },
        });
        await using var proxy = new NodePortProxy(store, IPAddress.Loopback, NullLogger.Instance);
        proxy.Reconcile();

        Assert.True(await ReachesBackendAsync(nodePort, backend), "the node port did not forward to the ready pod");

        store.Delete(ResourceCatalog.Pods, "default", "web"); // terminating: still there, still reporting Ready
        Assert.NotNull(store.Get(ResourceCatalog.Pods, "default", "web"));

        Assert.False(await ReachesBackendAsync(nodePort, backend), "the node port forwarded to a terminating pod");
    }

    // Connects to the node port and says whether the backend accepted the forwarded connection.
    private static async Task<bool> ReachesBackendAsync(int nodePort, TcpListener backend)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, nodePort);
        using var accepted = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var forwarded = await backend.AcceptTcpClientAsync(accepted.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
