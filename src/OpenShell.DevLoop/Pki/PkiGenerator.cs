using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenShell.DevLoop.Pki;

/// <summary>Creates the gateway's CA, server and client certificates (ECDSA P-256) with no external tool.</summary>
public static class PkiGenerator
{
    /// <summary>The DNS names the server certificate is valid for.</summary>
    public static readonly IReadOnlyList<string> ServerDnsNames = ["openshell.openshell.svc.cluster.local", "openshell", "localhost"];

    /// <summary>The IP addresses the server certificate is valid for.</summary>
    public static readonly IReadOnlyList<IPAddress> ServerIpAddresses = [IPAddress.Loopback];

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Generates a fresh CA and the two leaf certificates it signs.</summary>
    public static PkiMaterial Generate(TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var notBefore = now.AddMinutes(-5);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=openshell-dev-ca, O=OpenShell", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, now.AddYears(10));

        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in ServerDnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (var ip in ServerIpAddresses)
        {
            san.AddIpAddress(ip);
        }

        var (serverCert, serverKey) = Issue(ca, caKey, "CN=openshell, O=OpenShell", ServerAuthOid, san.Build(), notBefore, now.AddYears(2));
        var (clientCert, clientKey) = Issue(ca, caKey, "CN=openshell-client, O=OpenShell", ClientAuthOid, null, notBefore, now.AddYears(2));
        return new PkiMaterial(ca.ExportCertificatePem(), serverCert, serverKey, clientCert, clientKey);
    }

    private static (string Certificate, string Key) Issue(
        X509Certificate2 ca, ECDsa caKey, string subject, string usageOid, X509Extension? subjectAlternativeNames, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter > ca.NotAfter ? ca.NotAfter : notAfter, serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
