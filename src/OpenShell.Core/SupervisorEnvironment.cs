namespace OpenShell.Core;

/// <summary>
/// The environment the gateway gives a sandbox pod and the supervisor reads: one definition for both sides.
/// </summary>
public static class SupervisorEnvironment
{
    /// <summary>The gateway's gRPC endpoint (https://host:port, or http:// when the gateway runs without TLS).</summary>
    public const string GatewayEndpoint = "OPENSHELL_GATEWAY_ENDPOINT";

    /// <summary>The sandbox this supervisor runs in.</summary>
    public const string SandboxId = "OPENSHELL_SANDBOX_ID";

    /// <summary>PEM client certificate presented to the gateway.</summary>
    public const string ClientCertificate = "OPENSHELL_TLS_CERT";

    /// <summary>PEM private key of the client certificate.</summary>
    public const string ClientKey = "OPENSHELL_TLS_KEY";

    /// <summary>PEM CA that signed the gateway's server certificate (the only root trusted).</summary>
    public const string CertificateAuthority = "OPENSHELL_TLS_CA";

    /// <summary>How long to keep trying to register, in seconds (default 60).</summary>
    public const string RegistrationTimeout = "OPENSHELL_REGISTRATION_TIMEOUT";

    /// <summary>Where the supervisor binary lives inside sandbox pods.</summary>
    public const string SupervisorPath = "/opt/openshell/bin/openshell-sandbox";

    /// <summary>The folder mounted read-only from the node into sandbox pods.</summary>
    public const string SupervisorDirectory = "/opt/openshell/bin";

    /// <summary>Where the client TLS secret is mounted in sandbox pods.</summary>
    public const string TlsDirectory = "/etc/openshell/tls";
}
