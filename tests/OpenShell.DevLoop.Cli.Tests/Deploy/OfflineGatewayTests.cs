using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Pki;
using OpenShell.DevLoop.Sandboxes;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// The offline stack end to end: the node (the simulator, with RunPods) runs the chart's gateway pod on the engine,
/// and the gateway answers gRPC over mTLS on the published gateway port with the client certificate from
/// <c>.cache/pki/&lt;cluster&gt;/</c>, reaching the Kubernetes API from inside its pod.
/// </summary>
[Collection(DeployClusterCollection.Name)]
public sealed class OfflineGatewayTests(DeployClusterFixture cluster, ITestOutputHelper output)
{
    [RequiresDocker]
    public async Task The_deployed_gateway_answers_GetHealth_over_mtls_on_the_gateway_port()
    {
        DeployAssert.Succeeded(cluster.Prime);
        var node = await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName);
        var nodePort = $"{cluster.LoadSettings(offline: true).Cluster.GatewayNodePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var port = int.Parse(node.NetworkSettings.Ports[nodePort][0].HostPort, CultureInfo.InvariantCulture);
        using var channel = GatewayEndpoint.Resolve(new ClusterPaths(cluster.Root, cluster.ClusterName), port).OpenChannel();
        var gateway = new Gateway.GatewayClient(channel);

        // The deploy returned once the StatefulSet rolled out, i.e. the pod was ready; the port answers from then on.
        var clock = Stopwatch.StartNew();
        GetHealthResponse? health = null;
        RpcException? last = null;
        while (health is null && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                health = await gateway.GetHealthAsync(new GetHealthRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            }
            catch (RpcException e)
            {
                last = e;
                await Task.Delay(500);
            }
        }

        Assert.True(health is not null, $"the gateway on 127.0.0.1:{port} did not answer GetHealth within 60 s: {last?.Status}");
        output.WriteLine($"GetHealth answered after {clock.Elapsed.TotalSeconds:0.0} s: {health}");
        Assert.True(health.KubernetesReachable, health.Detail);

        // Without the client certificate the gateway refuses the call.
        var pki = new ClusterPaths(cluster.Root, cluster.ClusterName).PkiDirectory;
        using var trusted = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(pki, ClusterSecrets.CaFile));
        using var anonymousHandler = new SocketsHttpHandler();
        anonymousHandler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is not null && chain.Build(new X509Certificate2(certificate));
        };
        using var anonymous = GrpcChannel.ForAddress($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", new GrpcChannelOptions { HttpHandler = anonymousHandler, DisposeHttpClient = false });
        await Assert.ThrowsAsync<RpcException>(() => new Gateway.GatewayClient(anonymous).GetHealthAsync(new GetHealthRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
    }

    [RequiresDocker]
    public async Task A_sandbox_from_base_runs_its_command_under_the_nodes_supervisor_and_its_log_shows_the_output()
    {
        DeployAssert.Succeeded(cluster.Prime);
        var node = await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName);
        var nodePort = $"{cluster.LoadSettings(offline: true).Cluster.GatewayNodePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var port = int.Parse(node.NetworkSettings.Ports[nodePort][0].HostPort, CultureInfo.InvariantCulture);
        var nodeSha = await OpenShell.DevLoop.Deploy.SupervisorDeployer.ReadNodeSha256Async(cluster.Docker, node.ID);
        using var client = SandboxClient.Connect(GatewayEndpoint.Resolve(new ClusterPaths(cluster.Root, cluster.ClusterName), port));
        var name = $"hello-{Guid.NewGuid():N}"[..14];

        // What `openshell-dev sandbox create --from base -- echo hello` does: the pod really runs on the engine, from
        // the offline base image, with the supervisor copied from the node, which registers and then runs the command.
        var ready = await client.CreateAndWaitAsync(new SandboxCreateRequest(name, "base", ["echo", "hello"]));
        try
        {
            output.WriteLine($"{name}: {ready.Sandbox.Phase} after {ready.Elapsed.TotalSeconds:0.0} s, supervisor {ready.SupervisorVersion} sha256 {ready.SupervisorSha256}");
            Assert.Equal(nodeSha, ready.SupervisorSha256);
            Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/base:latest", ready.Sandbox.Image);

            var logs = "";
            for (var attempt = 0; attempt < 60 && !logs.Contains("hello", StringComparison.Ordinal); attempt++)
            {
                logs = await client.GetLogsAsync(name);
                await Task.Delay(500);
            }

            Assert.Contains("hello", logs, StringComparison.Ordinal);
            Assert.Contains($"registered sandbox '{name}'", logs, StringComparison.Ordinal);
        }
        finally
        {
            await client.DeleteAsync(name);
        }
    }
}
