using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenShell.Server.Tests.Security;

/// <summary>A CA made for one test run that issues server and client certificates, written as PEM files.</summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid s_serverAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid s_clientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa _key;

    internal TestCertificateAuthority(string name, string directory)
    {
        Directory = directory;
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=OpenShell test CA {name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(directory, $"{name}-ca.crt");
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem());
    }

    internal string Directory { get; }

    internal X509Certificate2 Certificate { get; }

    internal string CertificatePath { get; }

    /// <summary>A server certificate for localhost and 127.0.0.1.</summary>
    internal IssuedCertificate IssueServer(string name = "server") => Issue(name, s_serverAuth, server: true);

    internal IssuedCertificate IssueClient(string name = "client") => Issue(name, s_clientAuth, server: false);

    private IssuedCertificate Issue(string name, Oid usage, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-1), Certificate.NotAfter.AddMinutes(-1), serial);
        var withKey = issued.CopyWithPrivateKey(key);
        var certificatePath = Path.Combine(Directory, $"{name}.crt");
        var keyPath = Path.Combine(Directory, $"{name}.key");
        File.WriteAllText(certificatePath, withKey.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new IssuedCertificate(withKey, certificatePath, keyPath);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}

/// <summary>An issued certificate with its private key, and where both were written.</summary>
internal sealed record IssuedCertificate(X509Certificate2 Certificate, string CertificatePath, string KeyPath);
