using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using OpenShell.Core;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Sandboxes;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// <c>openshell-dev deploy --plaintext</c> on the offline stack: the node is created in plaintext mode, its gateway pod
/// serves gRPC over h2c on the published port, a sandbox's supervisor registers over <c>http://</c>, and the cluster keeps
/// its mode: a later deploy without the switch keeps it, one asking for another insecure mode is refused.
/// </summary>
public sealed class PlaintextGatewayTests(PlaintextDeployClusterFixture cluster, ITestOutputHelper output) : IClassFixture<PlaintextDeployClusterFixture>
{
    [RequiresDocker]
    public async Task A_plaintext_cluster_serves_h2c_runs_a_sandbox_over_http_and_keeps_its_mode()
    {
        // 1. Bootstrap and the first deploy, in plaintext.
        var clock = Stopwatch.StartNew();
        var prime = await cluster.DeployAsync(null, "--plaintext");
        output.WriteLine($"deploy --plaintext: {clock.Elapsed.TotalSeconds:0.0} s\n{prime.Stdout}\n{prime.Stderr}");
        DeployAssert.Succeeded(prime);
        var node = await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName);
        Assert.Contains("DISABLE_TLS=true", node.Config.Env);
        Assert.Contains("INSECURE: gateway on 127.0.0.1:", prime.Stdout, StringComparison.Ordinal);
        Assert.Contains("security=plaintext HTTP: no encryption and no client authentication", prime.Stdout, StringComparison.Ordinal);
        var paths = new ClusterPaths(cluster.Root, cluster.ClusterName);
        Assert.Equal(GatewaySecurity.Plaintext, GatewaySecurityRecord.Read(paths));
        var helmChart = await cluster.ReadHelmChartAsync();
        Assert.Contains("disableTls: true", helmChart["spec"]!["valuesContent"]!.GetValue<string>(), StringComparison.Ordinal);

        // 2. The gateway answers a channel with no TLS at all on the published port.
        var nodePort = $"{cluster.LoadSettings(offline: true).Cluster.GatewayNodePort.ToString(CultureInfo.InvariantCulture)}/tcp";
        var port = int.Parse(node.NetworkSettings.Ports[nodePort][0].HostPort, CultureInfo.InvariantCulture);
        using (var plain = GrpcChannel.ForAddress($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"))
        {
            var health = await GetHealthAsync(new Gateway.GatewayClient(plain), port);
            Assert.True(health.KubernetesReachable, health.Detail);
        }

        // 3. A sandbox: its pod is told the gateway's http:// endpoint, and its supervisor registers over it.
        var endpoint = GatewayEndpoint.Resolve(paths, port);
        Assert.Equal("http", endpoint.Address.Scheme);
        using var client = SandboxClient.Connect(endpoint);
        var name = $"plain-{Guid.NewGuid():N}"[..14];
        var ready = await client.CreateAndWaitAsync(new SandboxCreateRequest(name, "base", ["echo", "hello"]));
        try
        {
            output.WriteLine($"{name}: {ready.Sandbox.Phase} after {ready.Elapsed.TotalSeconds:0.0} s, supervisor {ready.SupervisorVersion}");
            using var kube = cluster.CreateKubernetesClient();
            var pod = await k8s.CoreV1OperationsExtensions.ReadNamespacedPodAsync(kube.CoreV1, name, "openshell");
            var gatewayVariable = pod.Spec.Containers.SelectMany(c => c.Env ?? []).Single(e => e.Name == SupervisorEnvironment.GatewayEndpoint);
            Assert.StartsWith("http://", gatewayVariable.Value, StringComparison.Ordinal);

            var logs = "";
            for (var attempt = 0; attempt < 60 && !logs.Contains($"registered sandbox '{name}'", StringComparison.Ordinal); attempt++)
            {
                logs = await client.GetLogsAsync(name);
                await Task.Delay(500);
            }

            Assert.Contains($"registered sandbox '{name}'", logs, StringComparison.Ordinal);
        }
        finally
        {
            await client.DeleteAsync(name);
        }

        // 4. Another insecure mode needs a new cluster: refused, nothing changed.
        var refused = await cluster.DeployAsync(null, "--disable-gateway-auth");
        output.WriteLine($"deploy --disable-gateway-auth: exit {refused.ExitCode}\n{refused.Stderr}");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("was created with security=plaintext HTTP; --disable-gateway-auth asks for TLS enabled, client cert auth disabled", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--recreate", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(node.ID, (await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName)).ID);
        Assert.Equal(GatewaySecurity.Plaintext, GatewaySecurityRecord.Read(paths));

        // 5. No switch: the cluster keeps the mode it was made with.
        var kept = await cluster.DeployAsync();
        DeployAssert.Succeeded(kept);
        Assert.Contains("security=plaintext HTTP", kept.Stdout, StringComparison.Ordinal);
        Assert.Equal(node.ID, (await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName)).ID);
        Assert.Equal(GatewaySecurity.Plaintext, GatewaySecurityRecord.Read(paths));
        using var again = GatewayEndpoint.Resolve(paths, port).OpenChannel();
        await GetHealthAsync(new Gateway.GatewayClient(again), port);
    }

    private static async Task<GetHealthResponse> GetHealthAsync(Gateway.GatewayClient gateway, int port)
    {
        var clock = Stopwatch.StartNew();
        RpcException? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                return await gateway.GetHealthAsync(new GetHealthRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            }
            catch (RpcException e)
            {
                last = e;
                await Task.Delay(500);
            }
        }

        throw new Xunit.Sdk.XunitException($"the gateway on http://127.0.0.1:{port} did not answer GetHealth within 60 s: {last?.Status}");
    }
}
