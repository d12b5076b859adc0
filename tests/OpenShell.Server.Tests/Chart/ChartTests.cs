using OpenShell.Testing;

namespace OpenShell.Server.Tests.Chart;

/// <summary>The chart through the real Helm 4 binary.</summary>
public sealed class ChartTests
{
    private static readonly string s_chart = Path.Combine(RepositoryPaths.Root, "deploy", "helm", "openshell");
    private static readonly string s_digest = "sha256:" + new string('b', 64);

    [Fact]
    public async Task Chart_is_named_openshell_0_1_0_and_lints()
    {
        var chartYaml = await File.ReadAllTextAsync(Path.Combine(s_chart, "Chart.yaml"));
        Assert.Contains("name: openshell\n", chartYaml, StringComparison.Ordinal);
        Assert.Contains("version: 0.1.0\n", chartYaml, StringComparison.Ordinal);

        var lint = await HelmAsync("lint", s_chart, "--strict");
        Assert.Contains("0 chart(s) failed", lint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digest_wins_over_the_tag()
    {
        var pinned = await TemplateAsync("--set", "image.repository=127.0.0.1:5000/openshell/gateway", "--set", "image.tag=dev", "--set", $"image.digest={s_digest}");
        Assert.Contains($"image: \"127.0.0.1:5000/openshell/gateway@{s_digest}\"", pinned, StringComparison.Ordinal);
        Assert.DoesNotContain("gateway:dev", pinned, StringComparison.Ordinal);

        var tagged = await TemplateAsync("--set", "image.repository=127.0.0.1:5000/openshell/gateway", "--set", "image.tag=dev");
        Assert.Contains("image: \"127.0.0.1:5000/openshell/gateway:dev\"", tagged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_digest_is_refused()
    {
        var outcome = await TestProcess.RunAsync(await KubeTools.HelmAsync(), ["template", "openshell", s_chart, "--namespace", "openshell", "--set", "image.digest=latest"]);
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains("image.digest must look like sha256:", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatefulSet_has_probes_on_the_health_port_and_a_non_root_security_context()
    {
        var rendered = await TemplateAsync("--set", "image.pullPolicy=Always");
        Assert.Contains("kind: StatefulSet", rendered, StringComparison.Ordinal);
        Assert.Contains("name: openshell\n  namespace: openshell", rendered, StringComparison.Ordinal);
        Assert.Contains("imagePullPolicy: Always", rendered, StringComparison.Ordinal);
        Assert.Contains("livenessProbe:\n            httpGet:\n              path: /healthz\n              port: health", rendered, StringComparison.Ordinal);
        Assert.Contains("readinessProbe:\n            httpGet:\n              path: /readyz\n              port: health", rendered, StringComparison.Ordinal);
        Assert.Contains("containerPort: 8081", rendered, StringComparison.Ordinal);
        Assert.Contains("runAsNonRoot: true", rendered, StringComparison.Ordinal);
        Assert.Contains("runAsUser: 10001", rendered, StringComparison.Ordinal);
        Assert.Contains("allowPrivilegeEscalation: false", rendered, StringComparison.Ordinal);
        Assert.Contains("readOnlyRootFilesystem: true", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_secrets_are_mounted_and_named_by_values()
    {
        var rendered = await TemplateAsync();
        Assert.Contains("secretName: openshell-server-tls", rendered, StringComparison.Ordinal);
        Assert.Contains("secretName: openshell-server-client-ca", rendered, StringComparison.Ordinal);
        Assert.Contains("mountPath: /etc/openshell/tls/server\n              readOnly: true", rendered, StringComparison.Ordinal);
        Assert.Contains("value: /etc/openshell/tls/client-ca/ca.crt", rendered, StringComparison.Ordinal);
        Assert.Contains("name: openshell-ssh-handshake", rendered, StringComparison.Ordinal);
        Assert.Contains("value: \"openshell-client-tls\"", rendered, StringComparison.Ordinal);
        Assert.Contains("value: \"https://openshell.openshell.svc.cluster.local:8080\"", rendered, StringComparison.Ordinal);

        var renamed = await TemplateAsync("--set", "tls.serverSecretName=custom-tls");
        Assert.Contains("secretName: custom-tls", renamed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabling_tls_drops_the_secret_volumes()
    {
        var rendered = await TemplateAsync("--set", "server.disableTls=true", "--set", "server.disableGatewayAuth=true");
        Assert.Contains("name: OPENSHELL_DISABLE_TLS", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("secretName: openshell-server-tls", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("secretName: openshell-server-client-ca", rendered, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string[], string[]> SecurityModes => new()
    {
        // disableTls, disableGatewayAuth (as the node's entrypoint fills them), what the render holds, what it must not
        {
            "false", "false",
            ["value: \"https://openshell.openshell.svc.cluster.local:8080\"", "name: OPENSHELL_TLS_CERT", "name: OPENSHELL_CLIENT_CA", "secretName: openshell-server-tls", "secretName: openshell-server-client-ca"],
            ["OPENSHELL_DISABLE_TLS", "OPENSHELL_DISABLE_GATEWAY_AUTH", "http://openshell"]
        },
        {
            "true", "false",
            ["name: OPENSHELL_DISABLE_TLS", "value: \"http://openshell.openshell.svc.cluster.local:8080\""],
            ["https://openshell", "OPENSHELL_TLS_CERT", "OPENSHELL_CLIENT_CA", "OPENSHELL_DISABLE_GATEWAY_AUTH", "secretName: openshell-server-tls", "secretName: openshell-server-client-ca"]
        },
        {
            "false", "true",
            ["name: OPENSHELL_DISABLE_GATEWAY_AUTH", "name: OPENSHELL_TLS_CERT", "secretName: openshell-server-tls", "value: \"https://openshell.openshell.svc.cluster.local:8080\""],
            ["OPENSHELL_DISABLE_TLS", "OPENSHELL_CLIENT_CA", "secretName: openshell-server-client-ca", "http://openshell"]
        },
    };

    [Theory]
    [MemberData(nameof(SecurityModes))]
    public async Task Each_security_mode_renders_its_gateway_switches_endpoint_and_secrets(string disableTls, string disableAuth, string[] present, string[] absent)
    {
        var rendered = await TemplateAsync(
            "--set", $"server.disableTls={disableTls}", "--set", $"server.disableGatewayAuth={disableAuth}",
            "--set", "server.grpcEndpoint=https://openshell.openshell.svc.cluster.local:8080");

        foreach (var text in present)
        {
            Assert.Contains(text, rendered, StringComparison.Ordinal);
        }

        foreach (var text in absent)
        {
            Assert.DoesNotContain(text, rendered, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Telemetry_is_exported_only_when_an_endpoint_is_set()
    {
        var quiet = await TemplateAsync();
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", quiet, StringComparison.Ordinal);

        var traced = await TemplateAsync("--set", "telemetry.otlpEndpoint=http://172.17.0.1:18892");
        Assert.Contains("name: OTEL_EXPORTER_OTLP_ENDPOINT\n              value: \"http://172.17.0.1:18892\"", traced, StringComparison.Ordinal);
        Assert.Contains("name: OTEL_EXPORTER_OTLP_PROTOCOL\n              value: \"http/protobuf\"", traced, StringComparison.Ordinal);
        Assert.Contains("name: OTEL_SERVICE_NAME\n              value: \"gateway\"", traced, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chart_checksum_lands_on_the_pod_template()
    {
        var rendered = await TemplateAsync("--set", "chartChecksum=abc123");
        Assert.Contains("openshell.io/chart-checksum: \"abc123\"", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_exposes_grpc_with_a_node_port_and_rbac_covers_sandbox_pods()
    {
        var rendered = await TemplateAsync("--set", "service.nodePort=30099", "--set", "server.sandboxNamespace=sandboxes", "--set", "hostGatewayIP=172.17.0.1");
        Assert.Contains("type: NodePort", rendered, StringComparison.Ordinal);
        Assert.Contains("nodePort: 30099", rendered, StringComparison.Ordinal);
        Assert.Contains("kind: Role\nmetadata:\n  name: openshell-sandboxes\n  namespace: sandboxes", rendered, StringComparison.Ordinal);
        Assert.Contains("resources: [\"pods\"]", rendered, StringComparison.Ordinal);
        Assert.Contains("kind: ServiceAccount", rendered, StringComparison.Ordinal);
        Assert.Contains("- ip: \"172.17.0.1\"", rendered, StringComparison.Ordinal);
    }

    private static Task<string> TemplateAsync(params string[] extra) =>
        HelmAsync(["template", "openshell", s_chart, "--namespace", "openshell", .. extra]);

    private static async Task<string> HelmAsync(params string[] args)
    {
        var outcome = await TestProcess.RunAsync(await KubeTools.HelmAsync(), args, timeout: TimeSpan.FromMinutes(2));
        outcome.EnsureSuccess("helm " + string.Join(' ', args));
        return outcome.Stdout;
    }
}
