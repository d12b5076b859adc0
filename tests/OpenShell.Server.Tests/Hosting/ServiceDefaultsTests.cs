using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OpenShell.Server.Tests.Hosting;

/// <summary>What the service defaults collect: telemetry only when it has somewhere to go.</summary>
public sealed class ServiceDefaultsTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    [InlineData("http://127.0.0.1:9", true)]
    public void Telemetry_is_collected_only_when_an_otlp_endpoint_is_configured(string? endpoint, bool collected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        builder.AddServiceDefaults();
        using var host = builder.Build();

        Assert.Equal(collected, host.Services.GetService<TracerProvider>() is not null);
        Assert.Equal(collected, host.Services.GetService<MeterProvider>() is not null);
        // The liveness check is there either way.
        Assert.NotNull(host.Services.GetService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>());
    }
}
