using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Cli.Telemetry;
using OpenShell.DevLoop.Deploy;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary><c>openshell-dev</c> exports OTLP only when the standard variables name an endpoint.</summary>
public sealed class CliTelemetryTests
{
    [Fact]
    public void Without_an_endpoint_nothing_is_started() =>
        Assert.Null(CliTelemetry.Start(Configuration(new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "x" })));

    [Fact]
    public async Task With_an_endpoint_a_deploy_is_exported_over_otlp_http_with_the_configured_headers_and_default_service_name()
    {
        using var collector = new OtlpHttpCollector();
        var trigger = $"test-{Guid.NewGuid():N}";

        using (CliTelemetry.Start(Configuration(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=test-key",
        })))
        {
            using var run = new DeployRun(null, NullLogger.Instance, trigger);
            run.Total(TimeSpan.FromSeconds(1), succeeded: true);
        }

        var traces = await collector.WaitForAsync("/v1/traces", trigger);
        Assert.Equal("test-key", traces.ApiKey);
        Assert.Contains("deploy", traces.Body, StringComparison.Ordinal);
        Assert.Contains(CliTelemetry.DefaultServiceName, traces.Body, StringComparison.Ordinal);
        var metrics = await collector.WaitForAsync("/v1/metrics", "openshell.deploy.duration");
        Assert.Contains("openshell.deploy.outcome", metrics.Body, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
