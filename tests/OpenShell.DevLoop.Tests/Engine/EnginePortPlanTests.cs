using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>
/// Where an engine's containers publish their ports and how this machine reaches them, for each kind of engine and the two
/// settings (<c>OpenShell:Cluster:RemoteBindAddress</c>, <c>OpenShell:Engine:SshTunnel</c>).
/// </summary>
public sealed class EnginePortPlanTests
{
    public static TheoryData<string, string?, string?, EnginePortRoute, string, string?> Plans => new()
    {
        // engine, bind address, ssh tunnel → route, published on, dialled at / forwarded to (tunnel host after '@')
        { "unix:///var/run/docker.sock", null, null, EnginePortRoute.Loopback, "127.0.0.1", null },
        // Socket and ssh:// engines always publish on loopback: the two settings are for tcp:// engines.
        { "unix:///var/run/docker.sock", "0.0.0.0", "me@gpu-box", EnginePortRoute.Loopback, "127.0.0.1", null },
        { "ssh://me@gpu-box:2222", null, null, EnginePortRoute.SshForwards, "127.0.0.1", "127.0.0.1@gpu-box" },
        { "ssh://me@gpu-box", "10.0.0.5", null, EnginePortRoute.SshForwards, "127.0.0.1", "127.0.0.1@gpu-box" },
        // tcp:// to this machine: the second engine shares our loopback.
        { "tcp://127.0.0.2:2376", null, null, EnginePortRoute.Loopback, "127.0.0.1", null },
        { "tcp://localhost:2376", "", null, EnginePortRoute.Loopback, "127.0.0.1", null },
        { "tcp://127.0.0.2:2376", "0.0.0.0", null, EnginePortRoute.Loopback, "0.0.0.0", null },
        { "tcp://127.0.0.2:2376", "127.0.0.3", null, EnginePortRoute.Direct, "127.0.0.3", "127.0.0.3" },
        { "tcp://[::1]:2376", "::1", null, EnginePortRoute.Direct, "::1", "::1" },
        // tcp:// elsewhere with a tunnel: forwards to the bind address on the tunnel's host.
        { "tcp://gpu-box:2376", null, "me@gpu-box", EnginePortRoute.SshForwards, "127.0.0.1", "127.0.0.1@gpu-box" },
        { "tcp://10.0.0.5:2376", "10.0.0.5", "me@jump:2200", EnginePortRoute.SshForwards, "10.0.0.5", "10.0.0.5@jump" },
        { "tcp://10.0.0.5:2376", "0.0.0.0", "me@10.0.0.5", EnginePortRoute.SshForwards, "0.0.0.0", "127.0.0.1@10.0.0.5" },
        // tcp:// elsewhere, published off loopback: dialled there (the engine's host for a wildcard).
        { "tcp://gpu-box:2376", "0.0.0.0", null, EnginePortRoute.Direct, "0.0.0.0", "gpu-box" },
        { "tcp://gpu-box:2376", "10.0.0.5", null, EnginePortRoute.Direct, "10.0.0.5", "10.0.0.5" },
        { "tcp://10.0.0.5:2376", " 10.0.0.5 ", "  ", EnginePortRoute.Direct, "10.0.0.5", "10.0.0.5" },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_route_follows_the_engine_and_the_two_settings(
        string engine, string? bind, string? tunnel, EnginePortRoute route, string publishedOn, string? reached)
    {
        var plan = Engine(engine).PortPlan(bind, tunnel);

        Assert.Equal(route, plan.Route);
        Assert.Equal(publishedOn, plan.BindAddress);
        switch (route)
        {
            case EnginePortRoute.Loopback:
                Assert.Null(reached);
                Assert.Null(plan.DialHost);
                Assert.Null(plan.Tunnel);
                break;
            case EnginePortRoute.Direct:
                Assert.Equal(reached, plan.DialHost);
                Assert.Null(plan.Tunnel);
                break;
            default:
                Assert.Equal(reached, $"{plan.ForwardTo}@{plan.Tunnel!.DnsSafeHost}");
                Assert.Null(plan.DialHost);
                break;
        }
    }

    [Theory]
    [InlineData("tcp://gpu-box:2376", null)]
    [InlineData("tcp://10.0.0.5:2376", "127.0.0.1")]
    [InlineData("tcp://10.0.0.5:2376", "::1")]
    public void A_remote_tcp_engine_publishing_on_its_loopback_without_a_tunnel_is_refused_with_both_fixes(string engine, string? bind)
    {
        var connection = Engine(engine);

        var error = Assert.Throws<EngineConnectionException>(() => connection.PortPlan(bind, null));
        Assert.Contains("is on another machine", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenShell:Cluster:RemoteBindAddress", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenShell:Engine:SshTunnel", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("OpenShell:Cluster:RemoteBindAddress", error.Remedy, StringComparison.Ordinal);
        Assert.Contains("insecure", error.Remedy, StringComparison.Ordinal);

        // Refused up front: creating the ports fails the same way, before anything is dialled.
        Assert.Throws<EngineConnectionException>(() => connection.CreatePorts());
    }

    [Theory]
    [InlineData("tcp://gpu-box:2376", "me@gpu-box", "127.0.0.1", typeof(SshPortForwards))]
    [InlineData("tcp://gpu-box:2376", "", "0.0.0.0", typeof(TcpRelayEnginePorts))]
    [InlineData("tcp://127.0.0.2:2376", "", "127.0.0.1", typeof(LoopbackEnginePorts))]
    [InlineData("ssh://me@gpu-box", "", "127.0.0.1", typeof(SshPortForwards))]
    public void The_ports_follow_the_plan(string engine, string tunnel, string bind, Type expected)
    {
        var settings = Settings(("OpenShell:Engine:SshTunnel", tunnel), ("OpenShell:Cluster:RemoteBindAddress", bind));

        using var ports = Engine(engine).CreatePorts(settings);

        Assert.IsType(expected, ports);
        Assert.Equal(expected == typeof(LoopbackEnginePorts), ports.SharesLoopback);
    }

    [Theory]
    [InlineData("OpenShell:Cluster:RemoteBindAddress", "gpu-box.lan", "RemoteBindAddress is \"gpu-box.lan\", which is not an IP address")]
    [InlineData("OpenShell:Cluster:RemoteBindAddress", "10.0.0.0/8", "which is not an IP address")]
    [InlineData("OpenShell:Engine:SshTunnel", "me:secret@gpu-box", "SshTunnel is \"me:secret@gpu-box\", which holds a password")]
    [InlineData("OpenShell:Engine:SshTunnel", "me@gpu-box/path", "which is not an SSH server")]
    [InlineData("OpenShell:Engine:SshTunnel", "me@gpu box", "which is not an SSH server")]
    public void Malformed_settings_are_refused_when_they_load(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Settings((key, value)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_publish_on_loopback_without_a_tunnel()
    {
        var settings = Settings();

        Assert.Equal("127.0.0.1", settings.Cluster.RemoteBindAddress);
        Assert.Null(settings.Engine.SshTunnel);
    }

    [Fact]
    public void A_tunnel_forwards_to_the_bind_address_on_its_host()
    {
        var plan = Engine("tcp://10.0.0.5:2376").PortPlan("10.0.0.5", "me@jump:2200");

        var arguments = SshPortForwards.Arguments(plan.Tunnel!, EngineSsh.Default, new Dictionary<int, int> { [6443] = 40001 }, TimeSpan.FromSeconds(5), plan.ForwardTo!);

        Assert.Equal(["-L", "127.0.0.1:40001:10.0.0.5:6443", "-p", "2200", "-l", "me", "--", "jump"], arguments.Skip(arguments.Count - 8));
        Assert.Contains("127.0.0.1:40001:[::1]:6443", SshPortForwards.Arguments(plan.Tunnel!, EngineSsh.Default, new Dictionary<int, int> { [6443] = 40001 }, TimeSpan.FromSeconds(5), "::1"));
    }

    [Fact]
    public async Task A_relay_carries_a_connection_both_ways_from_a_local_port_and_stops_on_dispose()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var enginePort = ((IPEndPoint)server.LocalEndpoint).Port;
        var ports = new TcpRelayEnginePorts("127.0.0.1");
        int local;
        try
        {
            local = await ports.LocalPortAsync(enginePort);
            Assert.NotEqual(enginePort, local);
            Assert.Equal(local, await ports.LocalPortAsync(enginePort));

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, local);
            using var accepted = await server.AcceptTcpClientAsync();
            // The streams first: a socket shut down for sending no longer hands one out.
            var near = client.GetStream();
            var far = accepted.GetStream();
            await near.WriteAsync("ping"u8.ToArray());
            client.Client.Shutdown(SocketShutdown.Send);
            Assert.Equal("ping", await ReadToEndAsync(far));
            await far.WriteAsync("pong"u8.ToArray());
            accepted.Client.Shutdown(SocketShutdown.Send);
            Assert.Equal("pong", await ReadToEndAsync(near));
        }
        finally
        {
            ports.Dispose();
        }

        using var late = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => late.ConnectAsync(IPAddress.Loopback, local));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ports.LocalPortAsync(enginePort));
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cts.Token);
        return System.Text.Encoding.ASCII.GetString(buffer.ToArray());
    }

    private static EngineConnection Engine(string host) =>
        EngineConnection.Resolve(host, _ => null, Path.GetTempPath());

    private static OpenShellSettings Settings(params (string Key, string Value)[] values) =>
        OpenShellSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(),
            new Dictionary<string, string?>());
}
