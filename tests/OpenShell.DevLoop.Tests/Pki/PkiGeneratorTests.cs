using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OpenShell.DevLoop.Pki;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Pki;

public sealed class PkiGeneratorTests
{
    private static readonly PkiMaterial s_pki = PkiGenerator.Generate();

    [Fact]
    public void Server_certificate_names_are_exactly_the_wanted_list_with_the_node_name()
    {
        var pki = PkiGenerator.Generate("k3s-Node-1");
        var (dns, ips) = PkiGenerator.SubjectAlternativeNames(pki.ServerCertificate);

        Assert.Equal(
            ["host.docker.internal", "k3s-node-1", "localhost", "openshell", "openshell.openshell.svc", "openshell.openshell.svc.cluster.local"],
            dns.Order(StringComparer.Ordinal));
        Assert.Equal([IPAddress.Loopback], ips);
        using var server = X509Certificate2.CreateFromPem(pki.ServerCertificate);
        Assert.False(server.MatchesHostname("example.com"));
    }

    [Fact]
    public void Without_a_node_name_the_server_certificate_has_the_fixed_names()
    {
        using var server = X509Certificate2.CreateFromPem(s_pki.ServerCertificate);

        foreach (var name in new[] { "openshell.openshell.svc.cluster.local", "openshell.openshell.svc", "openshell", "localhost", "host.docker.internal", "127.0.0.1" })
        {
            Assert.True(server.MatchesHostname(name), name);
        }

        Assert.Equal(6, PkiGenerator.SubjectAlternativeNames(s_pki.ServerCertificate).DnsNames.Count + 1);
    }

    [Fact]
    public void Validity_and_key_type_are_kept_when_the_server_certificate_is_reissued()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var pki = PkiGenerator.Generate("node-a", time);

        var (certificate, key) = PkiGenerator.ReissueServer(pki.CaCertificate, pki.CaKey, PkiGenerator.ServerNames("node-b"), time);

        using var original = X509Certificate2.CreateFromPem(pki.ServerCertificate);
        using var reissued = X509Certificate2.CreateFromPem(certificate, key);
        Assert.Equal(original.NotBefore, reissued.NotBefore);
        Assert.Equal(original.NotAfter, reissued.NotAfter);
        Assert.Equal(new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc), reissued.NotAfter.ToUniversalTime());
        using var ecdsa = reissued.GetECDsaPublicKey();
        Assert.Equal(256, ecdsa!.KeySize);
        Assert.Equal(original.Issuer, reissued.Issuer);
        Assert.True(reissued.MatchesHostname("node-b"));
    }

    [Fact]
    public void Reissuing_with_a_key_of_another_ca_is_refused()
    {
        var other = PkiGenerator.Generate();

        Assert.Throws<System.Security.Cryptography.CryptographicException>(() =>
            PkiGenerator.ReissueServer(s_pki.CaCertificate, other.CaKey, PkiGenerator.ServerNames(null)));
    }

    [Fact]
    public void A_node_name_that_is_no_dns_name_is_refused_with_its_cause()
    {
        var ex = Assert.Throws<ArgumentException>(() => PkiGenerator.ServerNames("bad name/x"));

        Assert.Contains("not a DNS name", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Leaf_certificates_chain_to_the_ca_only(bool server)
    {
        using var ca = X509Certificate2.CreateFromPem(s_pki.CaCertificate);
        using var leaf = X509Certificate2.CreateFromPem(server ? s_pki.ServerCertificate : s_pki.ClientCertificate);
        using var foreign = X509Certificate2.CreateFromPem(PkiGenerator.Generate().CaCertificate);

        Assert.True(Chains(leaf, ca));
        Assert.False(Chains(leaf, foreign));
    }

    [Fact]
    public void Material_does_not_print_its_keys()
    {
        Assert.DoesNotContain("PRIVATE KEY", s_pki.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutual_tls_handshake_succeeds_between_server_and_client()
    {
        using var temp = new TempDirectory("pki");
        using var ca = X509Certificate2.CreateFromPem(s_pki.CaCertificate);
        using var serverPem = X509Certificate2.CreateFromPem(s_pki.ServerCertificate, s_pki.ServerKey);
        using var clientPem = X509Certificate2.CreateFromPem(s_pki.ClientCertificate, s_pki.ClientKey);
        // SslStream needs a certificate whose key it can use on Linux: round-trip through PKCS#12.
        using var serverCert = X509CertificateLoader.LoadPkcs12(serverPem.Export(X509ContentType.Pkcs12), null);
        using var clientCert = X509CertificateLoader.LoadPkcs12(clientPem.Export(X509ContentType.Pkcs12), null);

        // A Unix domain socket pair: no network involved.
        var path = temp.Combine("tls.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var clientSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await clientSocket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        using var serverSocket = await listener.AcceptAsync();

        await using var serverStream = new SslStream(new NetworkStream(serverSocket, ownsSocket: false));
        await using var clientStream = new SslStream(new NetworkStream(clientSocket, ownsSocket: false));
        var serverTask = serverStream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = serverCert,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && Chains(new X509Certificate2(cert), ca),
        });
        var clientTask = clientStream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "openshell.openshell.svc.cluster.local",
            ClientCertificates = [clientCert],
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                cert is not null && Chains(new X509Certificate2(cert), ca) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0,
        });
        await Task.WhenAll(serverTask, clientTask).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(serverStream.IsMutuallyAuthenticated);
        await clientStream.WriteAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        await serverStream.ReadExactlyAsync(buffer);
        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
