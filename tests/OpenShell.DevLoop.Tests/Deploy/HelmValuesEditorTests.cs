using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Tests.Deploy;

public sealed class HelmValuesEditorTests
{
    // As the cluster's manifest renders it, plus the host gateway IP the cluster recorded.
    private const string ClusterValues = """
        chartChecksum: "abc"
        image:
          repository: 127.0.0.1:5000/openshell/gateway
          tag: "dev"
          pullPolicy: Always
        server:
          grpcEndpoint: https://old.example:8080
          supervisorHostPath: /opt/openshell/bin
        service:
          type: NodePort
          nodePort: 30051
        tls:
          serverSecretName: openshell-server-tls
          clientCaSecretName: openshell-server-client-ca
          clientSecretName: openshell-client-tls
        ssh:
          handshakeSecretName: openshell-ssh-handshake
        hostGatewayIP: 172.17.0.1
        """;

    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Pins_the_digest_and_keeps_what_the_cluster_rendered()
    {
        var text = HelmValuesEditor.Apply(ClusterValues, new GatewayValues("127.0.0.1:5000/openshell/gateway", Digest, "feed"));

        Assert.Equal(Digest, HelmValuesEditor.Read(text, "image", "digest"));
        Assert.Equal("127.0.0.1:5000/openshell/gateway", HelmValuesEditor.Read(text, "image", "repository"));
        Assert.Equal("dev", HelmValuesEditor.Read(text, "image", "tag"));
        Assert.Equal(GatewayValues.PullPolicy, HelmValuesEditor.Read(text, "image", "pullPolicy"));
        Assert.Equal("feed", HelmValuesEditor.Read(text, "chartChecksum"));
        Assert.Equal(GatewayValues.GrpcEndpoint, HelmValuesEditor.Read(text, "server", "grpcEndpoint"));
        Assert.Equal("172.17.0.1", HelmValuesEditor.Read(text, "hostGatewayIP"));
        Assert.Equal("30051", HelmValuesEditor.Read(text, "service", "nodePort"));
        Assert.Equal("/opt/openshell/bin", HelmValuesEditor.Read(text, "server", "supervisorHostPath"));
        Assert.Equal("openshell-client-tls", HelmValuesEditor.Read(text, "tls", "clientSecretName"));
        Assert.Contains("nodePort: 30051\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("...", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HelmChartDeployer.Name, "1", "60")]
    [InlineData("another-chart", null, null)]
    public void A_dev_deploy_probes_the_gateways_start_every_second_with_the_same_60_s_to_start(string release, string? period, string? threshold)
    {
        var text = HelmValuesEditor.Apply(ClusterValues, new GatewayValues("r/gateway", Digest, "c").ToChartValues(), release);

        Assert.Equal(period, HelmValuesEditor.Read(text, "probes", "startup", "periodSeconds"));
        Assert.Equal(threshold, HelmValuesEditor.Read(text, "probes", "startup", "failureThreshold"));
        // Readiness and liveness keep the chart's timings.
        Assert.Null(HelmValuesEditor.Read(text, "probes", "readiness", "periodSeconds"));
        Assert.Null(HelmValuesEditor.Read(text, "probes", "liveness", "periodSeconds"));
    }

    [Fact]
    public void Applying_the_same_values_again_gives_the_same_text()
    {
        var values = new GatewayValues("127.0.0.1:5000/openshell/gateway", Digest, "feed");
        var once = HelmValuesEditor.Apply(ClusterValues, values);

        Assert.Equal(once, HelmValuesEditor.Apply(once, values));
        Assert.Equal(once, HelmValuesEditor.Apply(once, values with { ImageDigest = null }));
    }

    [Fact]
    public void Without_a_digest_the_recorded_image_is_kept()
    {
        var pinned = HelmValuesEditor.Apply(ClusterValues, new GatewayValues("r/gateway", Digest, "c1"));
        var chartOnly = HelmValuesEditor.Apply(pinned, new GatewayValues("r/gateway", null, "c2"));

        Assert.Equal(Digest, HelmValuesEditor.Read(chartOnly, "image", "digest"));
        Assert.Equal("c2", HelmValuesEditor.Read(chartOnly, "chartChecksum"));
        Assert.Equal($"r/gateway@{Digest}", HelmChartDeployer.ImageOf(chartOnly));
        Assert.Equal("127.0.0.1:5000/openshell/gateway:dev", HelmChartDeployer.ImageOf(ClusterValues));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Empty_values_are_filled(string? values)
    {
        var text = HelmValuesEditor.Apply(values, new GatewayValues("r/gateway", Digest, "c"));

        Assert.Equal(Digest, HelmValuesEditor.Read(text, "image", "digest"));
        Assert.Equal("openshell-ssh-handshake", HelmValuesEditor.Read(text, "ssh", "handshakeSecretName"));
    }

    [Fact]
    public void Invalid_yaml_is_refused_with_the_fix()
    {
        var ex = Assert.Throws<DeployException>(() => HelmValuesEditor.Apply("image: [unclosed", new GatewayValues("r", Digest, "c")));

        Assert.Equal(DeployStep.HelmUpgrade, ex.Step);
        Assert.Contains("kubectl -n kube-system edit helmchart openshell", ex.Message, StringComparison.Ordinal);
    }
}
