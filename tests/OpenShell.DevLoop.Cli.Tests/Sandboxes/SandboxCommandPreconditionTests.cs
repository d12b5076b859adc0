namespace OpenShell.DevLoop.Cli.Tests.Sandboxes;

/// <summary>Without a cluster, its certificates or a gateway, every sandbox command says so and what to run.</summary>
public sealed class SandboxCommandPreconditionTests
{
    [Fact]
    public async Task No_gateway_port_says_bring_the_cluster_up()
    {
        await using var gateway = await LocalGateway.StartAsync(serve: false, writePort: false);
        var (exit, _, stderr) = await gateway.RunCliAsync("sandbox", "list");

        Assert.Equal(1, exit);
        Assert.Contains("no gateway port is known for cluster 'ossbx'", stderr, StringComparison.Ordinal);
        Assert.Contains("openshell-dev cluster up", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_certificates_are_named()
    {
        await using var gateway = await LocalGateway.StartAsync(serve: false, writePki: false);
        var (exit, _, stderr) = await gateway.RunCliAsync("sandbox", "create", "--from", "base");

        Assert.Equal(1, exit);
        Assert.Contains("the gateway's client certificate for cluster 'ossbx' is missing", stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(".cache", "pki", "ossbx", "client.crt"), stderr, StringComparison.Ordinal);
        Assert.Contains("openshell-dev cluster up", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_that_does_not_answer_is_named_with_its_address()
    {
        await using var gateway = await LocalGateway.StartAsync(serve: false);
        var (exit, _, stderr) = await gateway.RunCliAsync("sandbox", "list");

        Assert.Equal(1, exit);
        Assert.Contains($"the gateway at https://127.0.0.1:{gateway.Port} does not answer", stderr, StringComparison.Ordinal);
        Assert.Contains("Connection refused", stderr, StringComparison.Ordinal);
        Assert.Contains("openshell-dev cluster up", stderr, StringComparison.Ordinal);
    }
}
