namespace OpenShell.DevLoop.Pki;

/// <summary>The secrets the gateway reads, all in namespace <see cref="Namespace"/>.</summary>
public static class ClusterSecretNames
{
    /// <summary>The gateway's namespace.</summary>
    public const string Namespace = "openshell";

    /// <summary>The server certificate and key (<c>kubernetes.io/tls</c>: tls.crt, tls.key, ca.crt).</summary>
    public const string ServerTls = "openshell-server-tls";

    /// <summary>The CA that client certificates must chain to (ca.crt).</summary>
    public const string ServerClientCa = "openshell-server-client-ca";

    /// <summary>The client certificate and key (<c>kubernetes.io/tls</c>: tls.crt, tls.key, ca.crt).</summary>
    public const string ClientTls = "openshell-client-tls";

    /// <summary>
    /// The CA certificate and key (<c>kubernetes.io/tls</c>: tls.crt, tls.key), kept so that the server certificate can be
    /// reissued by the same CA when its names change. Ours, not upstream's; nothing in the cluster mounts it.
    /// </summary>
    public const string DevCa = "openshell-dev-ca";

    /// <summary>The SSH handshake secret (32 random bytes, hex, key <see cref="SshHandshakeKey"/>).</summary>
    public const string SshHandshake = "openshell-ssh-handshake";

    /// <summary>The data key of the SSH handshake secret.</summary>
    public const string SshHandshakeKey = "secret";

    /// <summary>The three TLS secrets, which must come from one CA.</summary>
    public static readonly IReadOnlyList<string> Tls = [ServerTls, ServerClientCa, ClientTls];
}
