using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Pki;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>
/// Where the local gateway answers and the client certificate it wants: <c>https://127.0.0.1:&lt;GATEWAY_PORT&gt;</c>
/// and the CA, certificate and key <c>cluster up</c> copies to <c>.cache/pki/&lt;cluster&gt;/</c>; for a cluster created
/// with <c>--plaintext</c> (<see cref="GatewaySecurityRecord"/>), <c>http://127.0.0.1:&lt;GATEWAY_PORT&gt;</c> (gRPC over h2c).
/// </summary>
/// <param name="Address">The gateway's URL.</param>
/// <param name="CaPath">The CA that signed the gateway's certificate (the only root trusted).</param>
/// <param name="CertificatePath">The client certificate (PEM).</param>
/// <param name="KeyPath">The client key (PEM).</param>
public sealed record GatewayEndpoint(Uri Address, string CaPath, string CertificatePath, string KeyPath)
{
    /// <summary>How the gateway guards its port: the mode its cluster was created with.</summary>
    public GatewaySecurity Security { get; init; }

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

        var security = GatewaySecurityRecord.Read(paths);
        var scheme = security == GatewaySecurity.Plaintext ? "http" : "https";
        var endpoint = new GatewayEndpoint(
            new Uri($"{scheme}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"),
            Path.Combine(paths.PkiDirectory, ClusterSecrets.CaFile),
            Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientCertificateFile),
            Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientKeyFile))
        {
            Security = security,
        };
        if (security == GatewaySecurity.Plaintext)
        {
            return endpoint;
        }

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

    /// <summary>
    /// A gRPC channel to the gateway that presents the client certificate and trusts only the CA, or for a plaintext
    /// gateway speaks HTTP/2 without TLS (every caller of the gateway uses this one: the CLI, the dashboard, deploy verification).
    /// </summary>
    /// <exception cref="SandboxException">The certificate files cannot be loaded.</exception>
    public GrpcChannel OpenChannel()
    {
        if (Security == GatewaySecurity.Plaintext)
        {
            // An http:// address: the channel speaks HTTP/2 with prior knowledge (h2c), as the plaintext gateway serves.
            return GrpcChannel.ForAddress(Address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) },
                DisposeHttpClient = true,
            });
        }

        X509Certificate2 certificate;
        var roots = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
            roots.ImportFromPemFile(CaPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or ArgumentException)
        {
            throw new SandboxException(
                $"cannot load the client certificate ({CertificatePath}, {KeyPath}, {CaPath}): {ex.Message}",
                "The certificates are rewritten when the cluster is brought up.",
                RemedyAction.BringClusterUp,
                ex);
        }

        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, server, _, errors) => server is X509Certificate2 presented && ChainsTo(presented, roots, errors),
            },
        };
        return GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
