using Docker.DotNet.Models;
using OpenShell.DevLoop.Registry;

namespace OpenShell.DevLoop.Tests.Registry;

public sealed class RegistryContainerCheckTests
{
    private static ContainerInspectResponse Container(string? hostIp, string? hostPort, params string[] env) =>
        Container(hostIp, hostPort, managed: true, env);

    private static ContainerInspectResponse Container(string? hostIp, string? hostPort, bool managed, params string[] env) => new()
    {
        Config = new Config
        {
            Env = env,
            Labels = managed ? new Dictionary<string, string> { ["com.microsoft.developer.usvc-dev.lifecycle-key"] = "k" } : new Dictionary<string, string>(),
        },
        HostConfig = new HostConfig
        {
            PortBindings = hostPort is null
                ? new Dictionary<string, IList<PortBinding>>()
                // Several host IPs, comma-separated: one binding each.
                : new Dictionary<string, IList<PortBinding>> { ["5000/tcp"] = [.. (hostIp ?? "").Split(',').Select(ip => new PortBinding { HostIP = hostIp is null ? null : ip, HostPort = hostPort })] },
        },
    };

    [Fact]
    public void Keeps_a_loopback_registry_on_the_wanted_port()
    {
        var verdict = RegistryContainerCheck.Judge(Container("127.0.0.1", "5000"), 5000);

        Assert.False(verdict.Replace);
    }

    [Fact]
    public void Replaces_a_pull_through_proxy()
    {
        var verdict = RegistryContainerCheck.Judge(Container("127.0.0.1", "5000", "REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io"), 5000);

        Assert.True(verdict.Replace);
        Assert.Contains("pull-through proxy", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Replaces_an_unpublished_registry()
    {
        var verdict = RegistryContainerCheck.Judge(Container(null, null), 5000);

        Assert.True(verdict.Replace);
        Assert.Contains("not published", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Replaces_the_wrong_port()
    {
        var verdict = RegistryContainerCheck.Judge(Container("127.0.0.1", "5001"), 5000);

        Assert.True(verdict.Replace);
        Assert.Contains("127.0.0.1:5001", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.4")]
    public void Replaces_a_registry_published_beyond_loopback(string hostIp)
    {
        var verdict = RegistryContainerCheck.Judge(Container(hostIp, "5000"), 5000);

        Assert.True(verdict.Replace);
        Assert.Contains("every network interface", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Replaces_a_container_the_orchestrator_did_not_create()
    {
        var verdict = RegistryContainerCheck.Judge(Container("127.0.0.1", "5000", managed: false), 5000, requireOrchestrator: true);

        Assert.True(verdict.Replace);
        Assert.Contains("created outside the dev host", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_keeps_its_own_loopback_registry()
    {
        var verdict = RegistryContainerCheck.Judge(Container("127.0.0.1", "5000", managed: false), 5000);

        Assert.False(verdict.Replace);
    }

    public static TheoryData<string, string, bool> BindAddresses => new()
    {
        // published on, wanted bind address (OpenShell:Cluster:RemoteBindAddress), replaced
        { "127.0.0.1", "127.0.0.1", false },
        { "127.0.0.1,10.0.0.5", "10.0.0.5", false },
        { "0.0.0.0", "0.0.0.0", false },
        { "127.0.0.1", "10.0.0.5", true },
        { "127.0.0.1,10.0.0.5", "10.0.0.6", true },
        { "0.0.0.0", "10.0.0.5", true },
        { "127.0.0.1,10.0.0.5", "127.0.0.1", true },
    };

    [Theory]
    [MemberData(nameof(BindAddresses))]
    public void A_registry_of_a_tcp_engine_is_kept_only_on_the_wanted_addresses(string publishedOn, string bind, bool replaced)
    {
        var addresses = LocalRegistryContainer.HostAddresses(bind);

        var verdict = RegistryContainerCheck.Judge(Container(publishedOn, "5000"), 5000, addresses: addresses);

        Assert.Equal(replaced, verdict.Replace);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("::", "::")]
    [InlineData("10.0.0.5", "127.0.0.1,10.0.0.5")]
    public void The_registry_stays_on_the_engines_loopback_where_the_engine_pushes(string bind, string published)
    {
        Assert.Equal(published.Split(','), LocalRegistryContainer.HostAddresses(bind));
    }
}
