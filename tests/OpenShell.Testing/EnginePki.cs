using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenShell.Testing;

/// <summary>
/// Made-up certificates for a Docker engine with TLS client verification, each folder as Docker expects it
/// (<c>ca.pem</c>, <c>cert.pem</c>, <c>key.pem</c>): the engine's (for <c>127.0.0.2</c>), a client's from the same CA,
/// and a client's from a foreign CA that the engine must refuse.
/// </summary>
/// <param name="ServerFolder">The engine's CA, certificate and key (<c>dockerd --tlscacert/--tlscert/--tlskey</c>).</param>
/// <param name="ClientFolder">A client's, signed by the engine's CA (<c>DOCKER_CERT_PATH</c>).</param>
/// <param name="ForeignFolder">A client's, signed by another CA.</param>
public sealed record EnginePki(string ServerFolder, string ClientFolder, string ForeignFolder)
{
    /// <summary>The address the engine's certificate names.</summary>
    public static readonly IPAddress EngineAddress = IPAddress.Parse("127.0.0.2");

    /// <summary>Writes the three folders under <paramref name="root"/>.</summary>
    public static EnginePki Create(string root)
    {
        using var ca = CreateCa("engine-ca");
        using var foreignCa = CreateCa("foreign-ca");
        var server = Path.Combine(root, "server");
        var client = Path.Combine(root, "client");
        var foreign = Path.Combine(root, "foreign");
        foreach (var folder in new[] { server, client, foreign })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
        }

        Issue(ca, server, "server", isServer: true);
        Issue(ca, client, "client", isServer: false);
        Issue(foreignCa, foreign, "intruder", isServer: false);
        return new EnginePki(server, client, foreign);
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static void Issue(X509Certificate2 ca, string folder, string name, bool isServer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(isServer ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (isServer)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(EngineAddress);
            request.CertificateExtensions.Add(names.Build());
        }

        // A leaf must not outlive its CA: a few hours, against the CA's day.
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(6), RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(Path.Combine(folder, "cert.pem"), issued.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }
}
