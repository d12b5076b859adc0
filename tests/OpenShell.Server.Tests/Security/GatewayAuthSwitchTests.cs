using Grpc.Core;
using Grpc.Net.Client;
using OpenShell.Core.V1;
using OpenShell.Server.Tests.Hosting;

namespace OpenShell.Server.Tests.Security;

public sealed class GatewayAuthSwitchTests
{
    [Fact]
    public async Task Disable_gateway_auth_accepts_a_client_without_certificate()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { DisableGatewayAuth = true });
        using var channel = gateway.CreateChannel(null);
        var version = await new Gateway.GatewayClient(channel).GetVersionAsync(new GetVersionRequest());
        Assert.Equal("openshell.v1", version.Api);
    }

    [Fact]
    public async Task Disable_tls_serves_grpc_in_plaintext()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { DisableTls = true });
        Assert.Equal("http", gateway.Endpoint.Scheme);
        using var channel = GrpcChannel.ForAddress(gateway.Endpoint);
        var version = await new Gateway.GatewayClient(channel).GetVersionAsync(new GetVersionRequest());
        Assert.Equal("0.1.0", version.Version);
    }

    [Fact]
    public async Task Health_without_kubernetes_reports_the_cluster_unreachable()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var channel = gateway.CreateChannel(gateway.Client.Certificate);
        var health = await new Gateway.GatewayClient(channel).GetHealthAsync(new GetHealthRequest());
        Assert.False(health.KubernetesReachable);
        Assert.Contains("--kubeconfig", health.Detail, StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new OpenShell.Core.V1.Sandboxes.SandboxesClient(channel).ListAsync(new ListSandboxesRequest()));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }
}
