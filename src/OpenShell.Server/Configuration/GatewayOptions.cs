using System.Net;

namespace OpenShell.Server.Configuration;

/// <summary>The gateway's settings, from flags and <c>OPENSHELL_*</c> environment variables.</summary>
internal sealed record GatewayOptions
{
    internal const string DefaultSandboxImage = "ghcr.io/nvidia/openshell-community/sandboxes/base:latest";
    internal const string DefaultCommunityRegistry = "ghcr.io/nvidia/openshell-community/sandboxes";
    internal const string DefaultGrpcEndpoint = "https://openshell.openshell.svc.cluster.local:8080";

    public int Port { get; init; } = 8080;
    public int HealthPort { get; init; } = 8081;
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;
    public string? TlsCertificatePath { get; init; }
    public string? TlsKeyPath { get; init; }
    public string? ClientCaPath { get; init; }
    public bool DisableTls { get; init; }
    public bool DisableGatewayAuth { get; init; }
    public string SandboxNamespace { get; init; } = "openshell";
    public string SandboxImage { get; init; } = DefaultSandboxImage;
    public string CommunityRegistry { get; init; } = DefaultCommunityRegistry;
    public string GrpcEndpoint { get; init; } = DefaultGrpcEndpoint;
    public string SupervisorHostPath { get; init; } = Core.SupervisorEnvironment.SupervisorDirectory;
    public string ClientTlsSecret { get; init; } = "openshell-client-tls";
    public string? KubeconfigPath { get; init; }

    /// <summary>How often supervisors heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a Watch call re-reads its pod when nothing else wakes it.</summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The gateway's own OTLP endpoint (the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), handed to sandbox pods so their
    /// supervisors' spans join the gateway's traces; null = no export.
    /// </summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>The OTLP protocol that goes with <see cref="OtlpEndpoint"/> (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>).</summary>
    public string? OtlpProtocol { get; init; }

    /// <summary>How long a Restart waits for the old pod to go before it gives up.</summary>
    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>True when client certificates are demanded (TLS on and auth not disabled).</summary>
    public bool RequiresClientCertificate => !DisableTls && !DisableGatewayAuth;
}
