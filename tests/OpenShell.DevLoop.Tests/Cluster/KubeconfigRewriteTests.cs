using k8s;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class KubeconfigRewriteTests
{
    private const string K3sKubeconfig = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: Y2E=
            server: https://127.0.0.1:6443
          name: default
        contexts:
        - context:
            cluster: default
            user: default
          name: default
        current-context: default
        kind: Config
        preferences: {}
        users:
        - name: default
          user:
            client-certificate-data: Y2VydA==
            client-key-data: a2V5
        """;

    [Fact]
    public void Points_the_cluster_at_the_mapped_port_and_keeps_credentials()
    {
        var rewritten = KubeconfigExtractor.Rewrite(K3sKubeconfig, new Uri("https://127.0.0.1:41234"));

        var config = KubernetesYaml.Deserialize<k8s.KubeConfigModels.K8SConfiguration>(rewritten);
        Assert.Equal("https://127.0.0.1:41234", config.Clusters.Single().ClusterEndpoint.Server);
        Assert.Equal("Y2E=", config.Clusters.Single().ClusterEndpoint.CertificateAuthorityData);
        Assert.Equal("a2V5", config.Users.Single().UserCredentials.ClientKeyData);
        Assert.Equal("default", config.CurrentContext);
    }

    [Theory]
    [InlineData("kind: Config\nclusters: []\n", "defines no cluster")]
    [InlineData(": : :\n- [", "not a valid kubeconfig")]
    public void Bad_kubeconfig_is_a_clear_error(string yaml, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KubeconfigExtractor.Rewrite(yaml, new Uri("https://127.0.0.1:1")));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
