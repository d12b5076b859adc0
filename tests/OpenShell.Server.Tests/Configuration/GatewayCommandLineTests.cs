using System.Net;
using OpenShell.Server.Configuration;

namespace OpenShell.Server.Tests.Configuration;

public sealed class GatewayCommandLineTests
{
    private static readonly Func<string, string?> s_noEnvironment = _ => null;

    [Fact]
    public void Defaults_match_the_chart()
    {
        var options = GatewayCommandLine.Parse([], s_noEnvironment).Options;
        Assert.Equal(8080, options.Port);
        Assert.Equal(8081, options.HealthPort);
        Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/base:latest", options.SandboxImage);
        Assert.Equal("https://openshell.openshell.svc.cluster.local:8080", options.GrpcEndpoint);
        Assert.Equal("/opt/openshell/bin", options.SupervisorHostPath);
        Assert.False(options.DisableTls);
        Assert.False(options.DisableGatewayAuth);
        Assert.Null(options.KubeconfigPath);
    }

    [Fact]
    public void Every_flag_is_read_and_flags_win_over_the_environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["OPENSHELL_PORT"] = "9000",
            ["OPENSHELL_SANDBOX_NAMESPACE"] = "from-env",
            ["OPENSHELL_DISABLE_GATEWAY_AUTH"] = "true",
            ["OPENSHELL_COMMUNITY_REGISTRY"] = "registry.example/sandboxes/",
        };
        var options = GatewayCommandLine.Parse(
            [
                "--port", "9443", "--health-port=9444", "--listen-address", "127.0.0.1",
                "--tls-cert", "/c.crt", "--tls-key", "/c.key", "--client-ca", "/ca.crt",
                "--sandbox-namespace", "sandboxes", "--sandbox-image", "img:1", "--grpc-endpoint", "https://gw:1",
                "--supervisor-host-path", "/node/bin", "--kubeconfig", "/kc", "--disable-tls", "--client-tls-secret", "tls",
            ],
            name => environment.GetValueOrDefault(name)).Options;

        Assert.Equal(9443, options.Port);
        Assert.Equal(9444, options.HealthPort);
        Assert.Equal(IPAddress.Loopback, options.ListenAddress);
        Assert.Equal(("/c.crt", "/c.key", "/ca.crt"), (options.TlsCertificatePath, options.TlsKeyPath, options.ClientCaPath));
        Assert.Equal("sandboxes", options.SandboxNamespace);
        Assert.Equal("img:1", options.SandboxImage);
        Assert.Equal("https://gw:1", options.GrpcEndpoint);
        Assert.Equal("/node/bin", options.SupervisorHostPath);
        Assert.Equal("/kc", options.KubeconfigPath);
        Assert.Equal("tls", options.ClientTlsSecret);
        Assert.Equal("registry.example/sandboxes", options.CommunityRegistry);
        Assert.True(options.DisableTls);
        Assert.True(options.DisableGatewayAuth);
    }

    public static TheoryData<string[], string> BadCommandLines => new()
    {
        { ["--port", "http"], "--port 'http' is not a port number" },
        { ["--port", "70000"], "--port '70000' is not a port number" },
        { ["--health-port"], "--health-port needs a value" },
        { ["--frobnicate"], "unknown argument '--frobnicate'" },
        { ["--disable-tls=maybe"], "--disable-tls 'maybe' is not true or false" },
        { ["--grpc-endpoint", "gw:8080"], "--grpc-endpoint 'gw:8080' is not an http:// or https:// URL" },
        { ["--listen-address", "everywhere"], "--listen-address 'everywhere' is not an IP address" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void Bad_flags_are_refused_with_the_cause(string[] args, string message)
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => GatewayCommandLine.Parse(args, s_noEnvironment));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> IncompleteSettings => new()
    {
        { [], "TLS needs --tls-cert and --tls-key" },
        { ["--tls-cert", "/a", "--tls-key", "/b"], "--client-ca (OPENSHELL_CLIENT_CA) is not set" },
        { ["--disable-tls", "--health-port", "8080"], "give the health port its own number" },
        { ["--disable-tls", "--kubeconfig", "/no/such/kubeconfig"], "--kubeconfig /no/such/kubeconfig: no such file" },
    };

    [Theory]
    [MemberData(nameof(IncompleteSettings))]
    public void Incomplete_settings_are_refused_before_serving(string[] args, string message)
    {
        var options = GatewayCommandLine.Parse(args, s_noEnvironment).Options;
        var error = Assert.Throws<GatewayConfigurationException>(() => GatewayCommandLine.Validate(options));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_variable()
    {
        var help = GatewayCommandLine.Help();
        foreach (var flag in new[]
        {
            "--port", "--health-port", "--tls-cert", "--tls-key", "--client-ca", "--disable-tls", "--disable-gateway-auth",
            "--sandbox-namespace", "--sandbox-image", "--community-registry", "--grpc-endpoint", "--supervisor-host-path", "--kubeconfig",
        })
        {
            Assert.Contains(flag + " ", help, StringComparison.Ordinal);
            Assert.Contains("[OPENSHELL_" + flag[2..].ToUpperInvariant().Replace('-', '_') + "]", help, StringComparison.Ordinal);
        }
    }
}
