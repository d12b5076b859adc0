using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Pki;
using OpenShell.KubeSim;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Pki;

/// <summary>The secrets against the Kubernetes API simulator (in process, no Docker).</summary>
public sealed class ClusterSecretsTests
{
    private static readonly string[] s_all = ["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls", "openshell-dev-ca", "openshell-ssh-handshake"];

    [Fact]
    public async Task Secrets_are_created_once_and_kept_on_the_second_run()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        using var temp = new TempDirectory("pki");
        var log = new RecordingLogger();

        var first = await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-a", log);
        var uids = await UidsAsync(kube);
        var firstCa = await File.ReadAllTextAsync(temp.Combine("ca.crt"));
        var second = await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-a", log);

        Assert.Equal(s_all.Order(), first.Created.Order());
        Assert.Empty(first.Kept);
        Assert.Empty(second.Created);
        Assert.Equal(s_all.Order(), second.Kept.Order());
        Assert.Equal(uids, await UidsAsync(kube));
        Assert.Equal(firstCa, await File.ReadAllTextAsync(temp.Combine("ca.crt")));

        var handshake = Encoding.ASCII.GetString((await kube.CoreV1.ReadNamespacedSecretAsync("openshell-ssh-handshake", "openshell")).Data["secret"]);
        Assert.Matches("^[0-9a-f]{64}$", handshake);

        // Nothing secret reaches the log.
        var server = await kube.CoreV1.ReadNamespacedSecretAsync("openshell-server-tls", "openshell");
        var keyFragment = Encoding.ASCII.GetString(server.Data["tls.key"]).Substring(30, 30);
        Assert.All(log.Lines, line =>
        {
            Assert.DoesNotContain("PRIVATE KEY", line, StringComparison.Ordinal);
            Assert.DoesNotContain(handshake, line, StringComparison.Ordinal);
            Assert.DoesNotContain(keyFragment, line, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Local_copies_are_owner_only_and_match_the_cluster()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        using var temp = new TempDirectory("pki");

        await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-a", new RecordingLogger());

        foreach (var file in new[] { "ca.crt", "client.crt", "client.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Combine(file)));
        }

        var server = await kube.CoreV1.ReadNamespacedSecretAsync("openshell-server-tls", "openshell");
        using var serverCert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(server.Data["tls.crt"]));
        var caPem = await File.ReadAllTextAsync(temp.Combine("ca.crt"));
        using var ca = X509Certificate2.CreateFromPem(caPem);
        var clientPem = await File.ReadAllTextAsync(temp.Combine("client.crt"));
        var clientKeyPem = await File.ReadAllTextAsync(temp.Combine("client.key"));
        using var client = X509Certificate2.CreateFromPem(clientPem, clientKeyPem);
        Assert.True(client.HasPrivateKey);
        Assert.Equal(ca.Subject, serverCert.Issuer);
        Assert.Equal(ca.Subject, client.Issuer);
        Assert.Equal("kubernetes.io/tls", server.Type);
    }

    [Fact]
    public async Task An_incomplete_tls_set_is_recreated_from_one_ca()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        using var temp = new TempDirectory("pki");
        await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-a", new RecordingLogger());
        await kube.CoreV1.DeleteNamespacedSecretAsync("openshell-server-client-ca", "openshell");
        var handshakeUid = (await kube.CoreV1.ReadNamespacedSecretAsync("openshell-ssh-handshake", "openshell")).Metadata.Uid;

        var result = await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-a", new RecordingLogger());

        Assert.Equal(["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls", "openshell-dev-ca"], result.Created);
        Assert.Equal(handshakeUid, (await kube.CoreV1.ReadNamespacedSecretAsync("openshell-ssh-handshake", "openshell")).Metadata.Uid);
        var caSecret = await kube.CoreV1.ReadNamespacedSecretAsync("openshell-server-client-ca", "openshell");
        using var ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(caSecret.Data["ca.crt"]));
        var localCaPem = await File.ReadAllTextAsync(temp.Combine("ca.crt"));
        using var localCa = X509Certificate2.CreateFromPem(localCaPem);
        Assert.Equal(ca.Thumbprint, localCa.Thumbprint);
    }

    [Fact]
    public async Task A_server_certificate_with_other_names_is_reissued_by_the_same_ca_and_the_gateway_restarted()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        using var temp = new TempDirectory("pki");
        await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-a", new RecordingLogger());
        var before = await SecretTextsAsync(kube);
        var gatewayUid = (await kube.CoreV1.CreateNamespacedPodAsync(GatewayPod(), "openshell")).Metadata.Uid;
        var log = new RecordingLogger();

        var result = await ClusterSecrets.EnsureAsync(kube, temp.Path, "Node-B", log);

        Assert.Equal(["openshell-server-tls"], result.Replaced);
        Assert.Empty(result.Created);
        var after = await SecretTextsAsync(kube);
        Assert.NotEqual(before["openshell-server-tls/tls.crt"], after["openshell-server-tls/tls.crt"]);
        Assert.NotEqual(before["openshell-server-tls/tls.key"], after["openshell-server-tls/tls.key"]);
        foreach (var key in before.Keys.Where(k => !k.StartsWith("openshell-server-tls/tls.", StringComparison.Ordinal)))
        {
            Assert.Equal(before[key], after[key]);
        }

        using var server = X509Certificate2.CreateFromPem(after["openshell-server-tls/tls.crt"]);
        using var ca = X509Certificate2.CreateFromPem(after["openshell-server-client-ca/ca.crt"]);
        Assert.True(server.MatchesHostname("node-b"));
        Assert.False(server.MatchesHostname("node-a"));
        Assert.Equal(ca.Subject, server.Issuer);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(server));
        Assert.Contains(log.Lines, l => l.Contains("missing node-b; not wanted node-a", StringComparison.Ordinal));
        Assert.DoesNotContain((await kube.CoreV1.ListNamespacedPodAsync("openshell")).Items, p => p.Metadata.Uid == gatewayUid);
        Assert.Equal(await File.ReadAllTextAsync(temp.Combine("ca.crt")), after["openshell-client-tls/ca.crt"]);

        var third = await ClusterSecrets.EnsureAsync(kube, temp.Path, "node-b", new RecordingLogger());
        Assert.Empty(third.Replaced);
        Assert.Empty(third.Created);
    }

    [Fact]
    public async Task A_server_certificate_with_old_names_and_no_kept_ca_key_recreates_the_tls_set()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        using var temp = new TempDirectory("pki");
        // A cluster set up before the CA key was kept and the names were extended.
        var legacy = PkiGenerator.Generate(["openshell.openshell.svc.cluster.local", "openshell", "localhost"], null) with { CaKey = string.Empty };
        await kube.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = "openshell" } });
        foreach (var secret in ClusterSecrets.TlsSecrets(legacy))
        {
            await kube.CoreV1.CreateNamespacedSecretAsync(secret, "openshell");
        }

        var log = new RecordingLogger();
        var result = await ClusterSecrets.EnsureAsync(kube, temp.Path, null, log);

        Assert.Equal(["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls", "openshell-dev-ca", "openshell-ssh-handshake"], result.Created);
        var texts = await SecretTextsAsync(kube);
        Assert.NotEqual(legacy.CaCertificate, texts["openshell-server-client-ca/ca.crt"]);
        using var server = X509Certificate2.CreateFromPem(texts["openshell-server-tls/tls.crt"]);
        Assert.True(server.MatchesHostname("host.docker.internal"));
        Assert.Contains(log.Lines, l => l.Contains("CA key was not kept", StringComparison.Ordinal) && l.Contains("missing host.docker.internal, openshell.openshell.svc", StringComparison.Ordinal));
    }

    private static V1Pod GatewayPod() => new()
    {
        Metadata = new() { Name = "openshell-0", Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "openshell" } },
        Spec = new() { Containers = [new() { Name = "openshell", Image = "openshell/gateway:dev" }] },
    };

    private static async Task<Dictionary<string, string>> SecretTextsAsync(IKubernetes kube)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in s_all)
        {
            var secret = await kube.CoreV1.ReadNamespacedSecretAsync(name, "openshell");
            foreach (var (key, value) in secret.Data)
            {
                texts[$"{name}/{key}"] = Encoding.ASCII.GetString(value);
            }
        }

        return texts;
    }

    private static async Task<List<string>> UidsAsync(IKubernetes kube)
    {
        var uids = new List<string>();
        foreach (var name in s_all)
        {
            uids.Add((await kube.CoreV1.ReadNamespacedSecretAsync(name, "openshell")).Metadata.Uid);
        }

        return uids;
    }
}
