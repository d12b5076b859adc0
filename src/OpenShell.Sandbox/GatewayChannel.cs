using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using OpenShell.Core;

namespace OpenShell.Sandbox;

/// <summary>The gRPC channel to the gateway: mutual TLS, trusting only the configured CA.</summary>
internal static class GatewayChannel
{
    internal static GrpcChannel Create(SupervisorSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };

        if (settings.GatewayEndpoint.Scheme == Uri.UriSchemeHttps)
        {
            X509Certificate2 clientCertificate;
            var roots = new X509Certificate2Collection();
            try
            {
                clientCertificate = X509Certificate2.CreateFromPemFile(settings.ClientCertificatePath!, settings.ClientKeyPath!);
                roots.ImportFromPemFile(settings.CertificateAuthorityPath!);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                throw new SupervisorUsageException(
                    $"cannot load the TLS files ({SupervisorEnvironment.ClientCertificate}={settings.ClientCertificatePath}, {SupervisorEnvironment.ClientKey}={settings.ClientKeyPath}, {SupervisorEnvironment.CertificateAuthority}={settings.CertificateAuthorityPath}): {ex.Message}");
            }

            if (roots.Count == 0)
            {
                throw new SupervisorUsageException($"{SupervisorEnvironment.CertificateAuthority}={settings.CertificateAuthorityPath} holds no certificate");
            }
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is X509Certificate2 server && ChainsTo(server, roots, errors),
            };
        }

        return GrpcChannel.ForAddress(settings.GatewayEndpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>The host name must match and the chain must end at one of <paramref name="roots"/>; the system store is not consulted.</summary>
    internal static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots, SslPolicyErrors errors)
    {
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
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
