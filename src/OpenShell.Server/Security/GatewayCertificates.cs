using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenShell.Server.Configuration;

namespace OpenShell.Server.Security;

/// <summary>The server certificate and the client CA, loaded once at start-up with errors that name the file.</summary>
internal sealed class GatewayCertificates
{
    private GatewayCertificates(X509Certificate2? server, X509Certificate2Collection clientRoots)
    {
        ServerCertificate = server;
        ClientRoots = clientRoots;
    }

    public X509Certificate2? ServerCertificate { get; }

    public X509Certificate2Collection ClientRoots { get; }

    internal static GatewayCertificates Load(GatewayOptions options)
    {
        if (options.DisableTls)
        {
            return new GatewayCertificates(null, []);
        }

        RequireReadable("--tls-cert", options.TlsCertificatePath!);
        RequireReadable("--tls-key", options.TlsKeyPath!);
        X509Certificate2 server;
        try
        {
            server = X509Certificate2.CreateFromPemFile(options.TlsCertificatePath!, options.TlsKeyPath!);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new GatewayConfigurationException($"--tls-cert {options.TlsCertificatePath} / --tls-key {options.TlsKeyPath}: not a PEM certificate and matching private key ({ex.Message})");
        }

        var roots = new X509Certificate2Collection();
        if (options.RequiresClientCertificate)
        {
            RequireReadable("--client-ca", options.ClientCaPath!);
            try
            {
                roots.ImportFromPemFile(options.ClientCaPath!);
            }
            catch (CryptographicException ex)
            {
                throw new GatewayConfigurationException($"--client-ca {options.ClientCaPath}: not a PEM certificate ({ex.Message})");
            }

            if (roots.Count == 0)
            {
                throw new GatewayConfigurationException($"--client-ca {options.ClientCaPath}: holds no certificate");
            }
        }

        return new GatewayCertificates(server, roots);
    }

    private static void RequireReadable(string flag, string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GatewayConfigurationException($"{flag} {path}: cannot read the file ({ex.Message})");
        }
    }
}
