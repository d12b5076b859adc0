using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Pki;
using OpenShell.KubeSim;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Pki;

/// <summary>The secrets against the Kubernetes API simulator (in process, no Docker).</summary>
public sealed class ClusterSecretsTests
{
    private static readonly string[] s_all = ["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls", "openshell-ssh-handshake"];

    [Fact]
    public async Task Secrets_are_created_once_and_kept_on_the_second_run()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        using var temp = new TempDirectory("pki");
        var log = new RecordingLogger();

        var first = await ClusterSecrets.EnsureAsync(kube, temp.Path, log);
        var uids = await UidsAsync(kube);
        var firstCa = await File.ReadAllTextAsync(temp.Combine("ca.crt"));
        var second = await ClusterSecrets.EnsureAsync(kube, temp.Path, log);

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

        await ClusterSecrets.EnsureAsync(kube, temp.Path, new RecordingLogger());

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
        await ClusterSecrets.EnsureAsync(kube, temp.Path, new RecordingLogger());
        await kube.CoreV1.DeleteNamespacedSecretAsync("openshell-server-client-ca", "openshell");
        var handshakeUid = (await kube.CoreV1.ReadNamespacedSecretAsync("openshell-ssh-handshake", "openshell")).Metadata.Uid;

        var result = await ClusterSecrets.EnsureAsync(kube, temp.Path, new RecordingLogger());

        Assert.Equal(["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls"], result.Created);
        Assert.Equal(handshakeUid, (await kube.CoreV1.ReadNamespacedSecretAsync("openshell-ssh-handshake", "openshell")).Metadata.Uid);
        var caSecret = await kube.CoreV1.ReadNamespacedSecretAsync("openshell-server-client-ca", "openshell");
        using var ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(caSecret.Data["ca.crt"]));
        var localCaPem = await File.ReadAllTextAsync(temp.Combine("ca.crt"));
        using var localCa = X509Certificate2.CreateFromPem(localCaPem);
        Assert.Equal(ca.Thumbprint, localCa.Thumbprint);
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

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
