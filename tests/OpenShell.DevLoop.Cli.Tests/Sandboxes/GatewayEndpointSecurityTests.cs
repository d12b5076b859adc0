using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Cli.Tests.Sandboxes;

/// <summary>
/// Every caller of the gateway speaks the mode its cluster was created with, as <c>cluster up</c> records it: h2c for
/// <c>--plaintext</c> (no certificate files needed), TLS for <c>--disable-gateway-auth</c>, against a real gateway.
/// </summary>
public sealed class GatewayEndpointSecurityTests
{
    [Fact]
    public async Task A_plaintext_cluster_is_called_over_h2c_without_certificate_files()
    {
        await using var gateway = await LocalGateway.StartAsync(writePki: false, security: GatewaySecurity.Plaintext);

        var endpoint = GatewayEndpoint.Resolve(gateway.Paths, gateway.Port);
        using var client = SandboxClient.Connect(endpoint);

        Assert.Equal(GatewaySecurity.Plaintext, endpoint.Security);
        Assert.Equal($"http://127.0.0.1:{gateway.Port}/", endpoint.Address.ToString());
        await client.WaitUntilAnswersAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(await client.ListAsync());
    }

    [Fact]
    public async Task A_cluster_without_client_auth_is_still_called_over_tls()
    {
        await using var gateway = await LocalGateway.StartAsync(security: GatewaySecurity.TlsWithoutClientAuth);

        var endpoint = GatewayEndpoint.Resolve(gateway.Paths, gateway.Port);

        Assert.Equal(GatewaySecurity.TlsWithoutClientAuth, endpoint.Security);
        Assert.Equal("https", endpoint.Address.Scheme);
        Assert.Empty(await gateway.Client.ListAsync());
    }

    [Fact]
    public async Task An_mtls_endpoint_does_not_answer_a_plaintext_gateway()
    {
        await using var gateway = await LocalGateway.StartAsync(security: GatewaySecurity.Plaintext);
        File.Delete(GatewaySecurityRecord.PathOf(gateway.Paths));

        using var client = SandboxClient.Connect(GatewayEndpoint.Resolve(gateway.Paths, gateway.Port));

        await Assert.ThrowsAsync<SandboxException>(() => client.WaitUntilAnswersAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_damaged_record_is_an_error_naming_the_file()
    {
        await using var gateway = await LocalGateway.StartAsync(serve: false);
        await File.WriteAllTextAsync(GatewaySecurityRecord.PathOf(gateway.Paths), "TLS please\n");

        var error = Assert.Throws<DevLoopException>(() => GatewayEndpoint.Resolve(gateway.Paths, gateway.Port));

        Assert.Contains(GatewaySecurityRecord.PathOf(gateway.Paths), error.Message, StringComparison.Ordinal);
        Assert.Equal(RemedyAction.BringClusterUp, error.Action);
    }
}
