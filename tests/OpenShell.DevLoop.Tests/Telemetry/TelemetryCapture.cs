using System.Diagnostics;
using OpenShell.DevLoop.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OpenShell.DevLoop.Tests.Telemetry;

/// <summary>The OpenTelemetry SDK with in-memory exporters, subscribed to the dev loop's source and meter.</summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    public TelemetryCapture()
    {
        _tracer = Sdk.CreateTracerProviderBuilder().AddSource(DevLoopTelemetry.Name).AddInMemoryExporter(_spans).Build();
        _meter = Sdk.CreateMeterProviderBuilder().AddMeter(DevLoopTelemetry.Name).AddInMemoryExporter(_metrics).Build();
    }

    /// <summary>The spans of the trace whose root span has the trigger <paramref name="trigger"/>.</summary>
    public IReadOnlyList<Activity> TraceOf(string trigger)
    {
        _tracer.ForceFlush();
        lock (_spans)
        {
            var root = Assert.Single(_spans, s => s.OperationName == DeploySpanNames.Deploy && (string?)s.GetTagItem(TelemetryTags.Trigger) == trigger);
            return [.. _spans.Where(s => s.TraceId == root.TraceId)];
        }
    }

    /// <summary>The points of the metric <paramref name="name"/>, after a flush.</summary>
    public MetricSnapshot Metric(string name)
    {
        _metrics.Clear();
        _meter.ForceFlush();
        return Assert.Single(_metrics, m => m.Name == name);
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _meter.Dispose();
    }
}

/// <summary>Telemetry tests read process-wide sources and meters: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
