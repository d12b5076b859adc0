using OpenShell.DevLoop.Cluster;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class GatewayPortStoreTests
{
    [Fact]
    public async Task Picks_a_free_port_once_and_keeps_it_in_env()
    {
        using var temp = new TempDirectory();
        var env = temp.Combine(".env");
        await File.WriteAllTextAsync(env, "OTHER=1\n");

        var first = await GatewayPortStore.ResolveAsync(env, "demo", configuredPort: null);
        var second = await GatewayPortStore.ResolveAsync(env, "demo", configuredPort: null);

        Assert.InRange(first, GatewayPortStore.MinPort, GatewayPortStore.MaxPort);
        Assert.Equal(first, second);
        var lines = await File.ReadAllLinesAsync(env);
        Assert.Equal(["OTHER=1", $"GATEWAY_PORT={first}", "OPENSHELL_GATEWAY=demo"], lines);
    }

    [Fact]
    public async Task A_configured_port_wins_and_is_recorded_when_missing()
    {
        using var temp = new TempDirectory();
        var env = temp.Combine(".env");

        var port = await GatewayPortStore.ResolveAsync(env, "demo", configuredPort: 31999);

        Assert.Equal(31999, port);
        Assert.Contains("GATEWAY_PORT=31999", await File.ReadAllLinesAsync(env));
    }

    [Fact]
    public async Task A_recorded_port_is_not_rewritten()
    {
        using var temp = new TempDirectory();
        var env = temp.Combine(".env");
        await File.WriteAllTextAsync(env, "export GATEWAY_PORT=\"25000\"\nOPENSHELL_GATEWAY=old\n");

        var port = await GatewayPortStore.ResolveAsync(env, "demo", configuredPort: null);

        Assert.Equal(25000, port);
        Assert.Equal("export GATEWAY_PORT=\"25000\"\nOPENSHELL_GATEWAY=old\n", await File.ReadAllTextAsync(env));
    }

    [Fact]
    public async Task A_corrupt_recorded_port_names_the_file()
    {
        using var temp = new TempDirectory();
        var env = temp.Combine(".env");
        await File.WriteAllTextAsync(env, "GATEWAY_PORT=abc\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayPortStore.ResolveAsync(env, "demo", null));

        Assert.Contains(env, error.Message, StringComparison.Ordinal);
    }
}
