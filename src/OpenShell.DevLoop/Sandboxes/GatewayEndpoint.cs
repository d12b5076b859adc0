using System.Globalization;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Pki;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>
/// Where the local gateway answers and the client certificate it wants: <c>https://127.0.0.1:&lt;GATEWAY_PORT&gt;</c>
/// and the CA, certificate and key <c>cluster up</c> copies to <c>.cache/pki/&lt;cluster&gt;/</c>.
/// </summary>
/// <param name="Address">The gateway's URL.</param>
/// <param name="CaPath">The CA that signed the gateway's certificate (the only root trusted).</param>
/// <param name="CertificatePath">The client certificate (PEM).</param>
/// <param name="KeyPath">The client key (PEM).</param>
public sealed record GatewayEndpoint(Uri Address, string CaPath, string CertificatePath, string KeyPath)
{
    /// <summary>The endpoint of the cluster whose files live under <paramref name="paths"/>, published on <paramref name="gatewayPort"/>.</summary>
    /// <exception cref="SandboxException">No port is known or a certificate file is missing.</exception>
    public static GatewayEndpoint Resolve(ClusterPaths paths, int? gatewayPort)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (gatewayPort is not { } port)
        {
            throw new SandboxException(
                $"no gateway port is known for cluster '{paths.ClusterName}' (GATEWAY_PORT is not in {paths.EnvFile})",
                "The port is picked and saved when the cluster is brought up.",
                RemedyAction.BringClusterUp);
        }

        var endpoint = new GatewayEndpoint(
            new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
            Path.Combine(paths.PkiDirectory, ClusterSecrets.CaFile),
            Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientCertificateFile),
            Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientKeyFile));
        var missing = new[] { endpoint.CaPath, endpoint.CertificatePath, endpoint.KeyPath }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            throw new SandboxException(
                $"the gateway's client certificate for cluster '{paths.ClusterName}' is missing ({string.Join(", ", missing)})",
                "The certificates are written when the cluster is brought up.",
                RemedyAction.BringClusterUp);
        }

        return endpoint;
    }
}
