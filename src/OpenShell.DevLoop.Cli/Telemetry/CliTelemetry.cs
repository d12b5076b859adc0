using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenShell.DevLoop.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpenShell.DevLoop.Cli.Telemetry;

/// <summary>
/// Exports the dev loop's traces and metrics over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Only the standard
/// OpenTelemetry variables apply (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>, ...), read by the SDK itself; the service name defaults to <c>openshell-dev</c>.
/// Disposing flushes what is buffered, so a short command loses nothing.
/// </summary>
internal static class CliTelemetry
{
    /// <summary>The service name when none is configured.</summary>
    public const string DefaultServiceName = "openshell-dev";

    /// <summary>Starts exporting when <paramref name="configuration"/> (the environment, normally) names an endpoint; else null.</summary>
    public static IDisposable? Start(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ? null : StartSdk(configuration);
    }

    // Kept apart so that a run without an endpoint never loads the SDK (start-up time matters on every edit).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Providers StartSdk(IConfiguration configuration)
    {
        var named = !string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])
            || (configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Split(',').Any(a => a.Trim().StartsWith("service.name=", StringComparison.Ordinal));
        void Resource(ResourceBuilder resource)
        {
            if (!named)
            {
                resource.AddService(DefaultServiceName);
            }
        }

        var tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration))
            .ConfigureResource(Resource)
            .AddSource(DevLoopTelemetry.Name)
            .AddOtlpExporter()
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration))
            .ConfigureResource(Resource)
            .AddMeter(DevLoopTelemetry.Name)
            .AddOtlpExporter()
            .Build();
        return new Providers(tracer, meter);
    }

    private sealed class Providers(TracerProvider tracer, MeterProvider meter) : IDisposable
    {
        public void Dispose()
        {
            tracer.Dispose();
            meter.Dispose();
        }
    }
}
