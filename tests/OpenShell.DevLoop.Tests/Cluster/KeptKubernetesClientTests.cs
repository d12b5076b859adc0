using OpenShell.DevLoop.Cluster;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class KeptKubernetesClientTests : IDisposable
{
    private readonly TempDirectory _folder = new("kept-kube");

    [Fact]
    public void The_client_is_kept_while_the_kubeconfig_is_the_same_file()
    {
        var path = WriteKubeconfig(6443, DateTime.UtcNow.AddMinutes(-1));
        using var kept = new KeptKubernetesClient(path);

        var first = kept.Get();

        Assert.Same(first, kept.Get());
        Assert.Equal(new Uri("https://127.0.0.1:6443/"), first.BaseUri);
    }

    [Fact]
    public void A_rewritten_kubeconfig_gives_a_new_client_for_the_new_cluster()
    {
        var path = WriteKubeconfig(6443, DateTime.UtcNow.AddMinutes(-1));
        using var kept = new KeptKubernetesClient(path);
        var before = kept.Get();

        // A recreated cluster: a new port, a newer file.
        WriteKubeconfig(7443, DateTime.UtcNow);
        var after = kept.Get();

        Assert.NotSame(before, after);
        Assert.Equal(new Uri("https://127.0.0.1:7443/"), after.BaseUri);
    }

    [Fact]
    public void A_missing_kubeconfig_is_a_kubeconfig_error()
    {
        using var kept = new KeptKubernetesClient(_folder.Combine("missing.yaml"));

        Assert.Throws<k8s.Exceptions.KubeConfigException>(() => kept.Get());
    }

    public void Dispose() => _folder.Dispose();

    private string WriteKubeconfig(int port, DateTime written)
    {
        var path = _folder.Combine("kubeconfig.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: dev
              cluster:
                server: https://127.0.0.1:{port}
                insecure-skip-tls-verify: true
            users:
            - name: dev
              user:
                token: t
            contexts:
            - name: dev
              context:
                cluster: dev
                user: dev
            current-context: dev
            """);
        File.SetLastWriteTimeUtc(path, written);
        return path;
    }
}
