using OpenShell.Server.Configuration;
using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Tests.Sandboxes;

/// <summary>Sandbox pods export to the gateway's own OTLP endpoint, one service with an instance per sandbox.</summary>
public sealed class SandboxPodFactoryTelemetryTests
{
    [Fact]
    public void A_gateway_that_exports_hands_its_endpoint_to_each_sandbox()
    {
        var options = GatewayCommandLine.Parse([], name => name switch
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT" => "http://172.17.0.1:18892",
            "OTEL_EXPORTER_OTLP_PROTOCOL" => "http/protobuf",
            _ => null,
        }).Options;

        var pod = SandboxPodFactory.Create("box-1", "img", null, [], options);

        var env = pod.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("http://172.17.0.1:18892", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", env["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("sandbox", env["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=box-1", env["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    [Fact]
    public void A_gateway_that_does_not_export_gives_sandboxes_no_otel_variables()
    {
        var pod = SandboxPodFactory.Create("box-2", "img", null, [], new GatewayOptions());

        Assert.DoesNotContain(pod.Spec.Containers[0].Env, e => e.Name.StartsWith("OTEL_", StringComparison.Ordinal));
    }
}
