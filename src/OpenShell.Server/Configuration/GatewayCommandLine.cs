using System.Globalization;
using System.Net;
using System.Text;

namespace OpenShell.Server.Configuration;

/// <summary>What the command line asks for.</summary>
internal enum GatewayMode
{
    Serve,
    Help,
    Probe,
}

/// <summary>The parsed command line.</summary>
internal sealed record GatewayInvocation(GatewayMode Mode, GatewayOptions Options);

/// <summary>
/// Parses <c>--flag value</c>, <c>--flag=value</c> and switches; each flag has an <c>OPENSHELL_*</c> variable, and a flag wins over it.
/// </summary>
internal static class GatewayCommandLine
{
    private sealed record Flag(string Name, string Variable, string Description, bool IsSwitch, Func<GatewayOptions, string, GatewayOptions> Apply);

    private static readonly Flag[] s_flags =
    [
        new("--port", "OPENSHELL_PORT", "TLS port for gRPC (HTTP/2) and HTTP/1.1 (default 8080)", false, (o, v) => o with { Port = ParsePort("--port", v) }),
        new("--health-port", "OPENSHELL_HEALTH_PORT", "plain HTTP port for /healthz and /readyz (default 8081)", false, (o, v) => o with { HealthPort = ParsePort("--health-port", v) }),
        new("--listen-address", "OPENSHELL_LISTEN_ADDRESS", "address to listen on (default 0.0.0.0)", false, (o, v) => o with { ListenAddress = ParseAddress(v) }),
        new("--tls-cert", "OPENSHELL_TLS_CERT", "server certificate (PEM)", false, (o, v) => o with { TlsCertificatePath = v }),
        new("--tls-key", "OPENSHELL_TLS_KEY", "server private key (PEM)", false, (o, v) => o with { TlsKeyPath = v }),
        new("--client-ca", "OPENSHELL_CLIENT_CA", "CA certificate (PEM) that client certificates must chain to", false, (o, v) => o with { ClientCaPath = v }),
        new("--disable-tls", "OPENSHELL_DISABLE_TLS", "serve plaintext (gRPC over h2c on --port); insecure", true, (o, v) => o with { DisableTls = ParseSwitch("--disable-tls", v) }),
        new("--disable-gateway-auth", "OPENSHELL_DISABLE_GATEWAY_AUTH", "do not require client certificates; insecure", true, (o, v) => o with { DisableGatewayAuth = ParseSwitch("--disable-gateway-auth", v) }),
        new("--sandbox-namespace", "OPENSHELL_SANDBOX_NAMESPACE", "namespace of sandbox pods (default openshell)", false, (o, v) => o with { SandboxNamespace = v }),
        new("--sandbox-image", "OPENSHELL_SANDBOX_IMAGE", $"image of sandboxes created without --from (default {GatewayOptions.DefaultSandboxImage})", false, (o, v) => o with { SandboxImage = v }),
        new("--community-registry", "OPENSHELL_COMMUNITY_REGISTRY", $"where community sandbox names resolve (default {GatewayOptions.DefaultCommunityRegistry})", false, (o, v) => o with { CommunityRegistry = v.TrimEnd('/') }),
        new("--grpc-endpoint", "OPENSHELL_GRPC_ENDPOINT", $"URL sandboxes call back on (default {GatewayOptions.DefaultGrpcEndpoint})", false, (o, v) => o with { GrpcEndpoint = ParseEndpoint(v) }),
        new("--supervisor-host-path", "OPENSHELL_SUPERVISOR_HOST_PATH", "node folder with openshell-sandbox, mounted read-only into sandboxes (default /opt/openshell/bin)", false, (o, v) => o with { SupervisorHostPath = v }),
        new("--client-tls-secret", "OPENSHELL_CLIENT_TLS_SECRET", "secret with the sandboxes' client certificate (default openshell-client-tls)", false, (o, v) => o with { ClientTlsSecret = v }),
        new("--kubeconfig", "OPENSHELL_KUBECONFIG", "kubeconfig file (default: in-cluster configuration)", false, (o, v) => o with { KubeconfigPath = v }),
    ];

    /// <summary>Parses <paramref name="args"/> over <paramref name="environment"/>.</summary>
    internal static GatewayInvocation Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        // The standard OpenTelemetry variables are not the gateway's own: read as they are, passed on to sandboxes.
        var options = new GatewayOptions
        {
            OtlpEndpoint = environment("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } endpoint ? endpoint : null,
            OtlpProtocol = environment("OTEL_EXPORTER_OTLP_PROTOCOL") is { Length: > 0 } protocol ? protocol : null,
        };
        foreach (var flag in s_flags)
        {
            if (environment(flag.Variable) is { Length: > 0 } value)
            {
                options = flag.Apply(options, value);
            }
        }

        var mode = GatewayMode.Serve;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                mode = GatewayMode.Help;
                continue;
            }

            if (arg == "--probe")
            {
                mode = mode == GatewayMode.Help ? mode : GatewayMode.Probe;
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            var flag = Array.Find(s_flags, f => f.Name == name)
                ?? throw new GatewayConfigurationException($"unknown argument '{arg}' (see openshell-server --help)");
            string value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (flag.IsSwitch)
            {
                value = "true";
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new GatewayConfigurationException($"{name} needs a value (see openshell-server --help)");
            }

            options = flag.Apply(options, value);
        }

        return new GatewayInvocation(mode, options);
    }

    /// <summary>The <c>--help</c> text.</summary>
    internal static string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: openshell-server [options]");
        text.AppendLine();
        text.AppendLine("OpenShell gateway: gRPC + HTTP on one TLS port with client certificates, health on a plain port.");
        text.AppendLine();
        text.AppendLine("options (each also read from the environment variable shown; a flag wins):");
        foreach (var flag in s_flags)
        {
            var left = flag.IsSwitch ? flag.Name : $"{flag.Name} VALUE";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {left,-32} {flag.Description}  [{flag.Variable}]");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  {"--probe",-32} GET http://127.0.0.1:<health-port>/healthz and exit 0 when healthy (container health check)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"--help",-32} show this help");
        return text.ToString();
    }

    /// <summary>Checks the combination of settings needed to serve.</summary>
    internal static void Validate(GatewayOptions options)
    {
        if (options.Port == options.HealthPort)
        {
            throw new GatewayConfigurationException($"--port and --health-port are both {options.Port}: give the health port its own number");
        }

        if (!options.DisableTls)
        {
            if (options.TlsCertificatePath is null || options.TlsKeyPath is null)
            {
                throw new GatewayConfigurationException("TLS needs --tls-cert and --tls-key (or OPENSHELL_TLS_CERT/OPENSHELL_TLS_KEY); pass --disable-tls to serve plaintext");
            }

            if (!options.DisableGatewayAuth && options.ClientCaPath is null)
            {
                throw new GatewayConfigurationException("client certificates are required but --client-ca (OPENSHELL_CLIENT_CA) is not set; pass --disable-gateway-auth to accept any client");
            }
        }

        if (options.KubeconfigPath is { } kubeconfig && !File.Exists(kubeconfig))
        {
            throw new GatewayConfigurationException($"--kubeconfig {kubeconfig}: no such file");
        }
    }

    private static int ParsePort(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new GatewayConfigurationException($"{flag} '{value}' is not a port number (1-65535)");

    private static bool ParseSwitch(string flag, string value) => value.ToUpperInvariant() switch
    {
        "1" or "TRUE" or "YES" or "ON" => true,
        "0" or "FALSE" or "NO" or "OFF" => false,
        _ => throw new GatewayConfigurationException($"{flag} '{value}' is not true or false"),
    };

    private static IPAddress ParseAddress(string value) =>
        IPAddress.TryParse(value, out var address) ? address : throw new GatewayConfigurationException($"--listen-address '{value}' is not an IP address");

    private static string ParseEndpoint(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? value
            : throw new GatewayConfigurationException($"--grpc-endpoint '{value}' is not an http:// or https:// URL");
}
