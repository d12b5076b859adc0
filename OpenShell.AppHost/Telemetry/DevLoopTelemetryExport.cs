using OpenShell.DevLoop.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpenShell.AppHost.Telemetry;

/// <summary>
/// Sends the dev loop's traces and metrics (source and meter <see cref="DevLoopTelemetry.Name"/>) to the AppHost's own
/// dashboard under <c>service.name</c> <see cref="ServiceName"/>, so each deploy is a trace beside the watcher.
/// Disposed with the AppHost, which flushes what is buffered.
/// </summary>
internal sealed class DevLoopTelemetryExport : IDisposable
{
    /// <summary>The service name the dashboard groups the dev loop's telemetry under: the watcher resource's name.</summary>
    public const string ServiceName = "watcher";

    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    public DevLoopTelemetryExport(DashboardOtlp dashboard, TimeSpan? metricInterval = null)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        _tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(ServiceName))
            .AddSource(DevLoopTelemetry.Name)
            .AddOtlpExporter(o => dashboard.Configure(o, "v1/traces"))
            .Build();
        _meter = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(ServiceName))
            .AddMeter(DevLoopTelemetry.Name)
            .AddOtlpExporter((o, reader) =>
            {
                dashboard.Configure(o, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)(metricInterval ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
            })
            .Build();
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }
}
