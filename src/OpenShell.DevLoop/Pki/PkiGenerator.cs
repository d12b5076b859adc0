using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenShell.DevLoop.Pki;

/// <summary>Creates the gateway's CA, server and client certificates (ECDSA P-256) with no external tool.</summary>
public static class PkiGenerator
{
    /// <summary>
    /// The DNS names the server certificate is always valid for: the Service's short and qualified names (in-cluster
    /// clients), <c>localhost</c> and <c>host.docker.internal</c> (Docker Desktop). Upstream's list, plus the node's name.
    /// </summary>
    public static readonly IReadOnlyList<string> ServerDnsNames =
        ["openshell", "openshell.openshell.svc", "openshell.openshell.svc.cluster.local", "localhost", "host.docker.internal"];

    /// <summary>The IP addresses the server certificate is valid for.</summary>
    public static readonly IReadOnlyList<IPAddress> ServerIpAddresses = [IPAddress.Loopback];

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The server certificate's DNS names for a cluster whose node is <paramref name="nodeName"/> (none when null or empty).</summary>
    public static IReadOnlyList<string> ServerNames(string? nodeName)
    {
        var names = new List<string>(ServerDnsNames);
        if (!string.IsNullOrWhiteSpace(nodeName))
        {
            // Kubernetes lowercases the hostname it registers as the node name.
            var node = nodeName.Trim().ToLowerInvariant();
            if (Uri.CheckHostName(node) != UriHostNameType.Dns)
            {
                throw new ArgumentException($"The node name '{nodeName}' is not a DNS name; it cannot go into the server certificate.", nameof(nodeName));
            }

            if (!names.Contains(node, StringComparer.Ordinal))
            {
                names.Add(node);
            }
        }

        return names;
    }

    /// <summary>Generates a fresh CA and the two leaf certificates it signs; the server certificate names <paramref name="nodeName"/> too.</summary>
    public static PkiMaterial Generate(string? nodeName = null, TimeProvider? time = null) =>
        Generate(ServerNames(nodeName), time);

    /// <summary>Generates a fresh CA and the two leaf certificates, the server one valid for exactly <paramref name="serverDnsNames"/> and 127.0.0.1.</summary>
    internal static PkiMaterial Generate(IReadOnlyList<string> serverDnsNames, TimeProvider? time)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var notBefore = now.AddMinutes(-5);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=openshell-dev-ca, O=OpenShell", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, now.AddYears(10));

        var (serverCert, serverKey) = IssueServer(ca, caKey, serverDnsNames, now);
        var (clientCert, clientKey) = Issue(ca, caKey, "CN=openshell-client, O=OpenShell", ClientAuthOid, null, notBefore, now.AddYears(2));
        return new PkiMaterial(ca.ExportCertificatePem(), serverCert, serverKey, clientCert, clientKey) { CaKey = caKey.ExportPkcs8PrivateKeyPem() };
    }

    /// <summary>
    /// Issues a new server certificate and key from an existing CA (PEM certificate and PKCS#8 key), valid for
    /// <paramref name="serverDnsNames"/> and 127.0.0.1, with the same validity and key type as a fresh one.
    /// </summary>
    public static (string Certificate, string Key) ReissueServer(string caCertificatePem, string caKeyPem, IReadOnlyList<string> serverDnsNames, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(caKeyPem);
        ArgumentNullException.ThrowIfNull(serverDnsNames);
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(caKeyPem);
        using var ca = X509Certificate2.CreateFromPem(caCertificatePem);
        using var caPublic = ca.GetECDsaPublicKey() ?? throw new CryptographicException("The CA certificate does not hold an ECDSA key.");
        if (!caPublic.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(caKey.ExportSubjectPublicKeyInfo()))
        {
            throw new CryptographicException("The CA key does not belong to the CA certificate.");
        }

        return IssueServer(ca, caKey, serverDnsNames, (time ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>The DNS names and IP addresses a PEM certificate's subject alternative names list.</summary>
    public static (IReadOnlySet<string> DnsNames, IReadOnlySet<IPAddress> IpAddresses) SubjectAlternativeNames(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        var dns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ips = new HashSet<IPAddress>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            dns.UnionWith(extension.EnumerateDnsNames());
            ips.UnionWith(extension.EnumerateIPAddresses());
        }

        return (dns, ips);
    }

    private static (string Certificate, string Key) IssueServer(X509Certificate2 ca, ECDsa caKey, IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (var ip in ServerIpAddresses)
        {
            san.AddIpAddress(ip);
        }

        return Issue(ca, caKey, "CN=openshell, O=OpenShell", ServerAuthOid, san.Build(), now.AddMinutes(-5), now.AddYears(2));
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
