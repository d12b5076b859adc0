using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Telemetry;

/// <summary>
/// The dev loop's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>: one trace per deploy
/// and the deploy metrics. Nothing is recorded unless a listener (an OpenTelemetry SDK provider) subscribes to the name.
/// </summary>
public static class DevLoopTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "OpenShell.DevLoop";

    /// <summary>The source of the deploy spans.</summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>The meter of the dev loop's instruments.</summary>
    public static Meter Meter { get; } = new(Name);

    /// <summary><c>openshell.deploy.duration</c>: a whole deploy, by outcome.</summary>
    internal static Histogram<double> DeployDuration { get; } =
        Meter.CreateHistogram<double>("openshell.deploy.duration", "s", "Duration of a deploy, from planning to the last step.");

    /// <summary><c>openshell.deploy.step.duration</c>: one step of a deploy, by step and component.</summary>
    internal static Histogram<double> StepDuration { get; } =
        Meter.CreateHistogram<double>("openshell.deploy.step.duration", "s", "Duration of one deploy step (and of the phases inside it).");

    /// <summary><c>openshell.plan.duration</c>: change detection and planning.</summary>
    internal static Histogram<double> PlanDuration { get; } =
        Meter.CreateHistogram<double>("openshell.plan.duration", "s", "Duration of change detection and planning.");

    /// <summary><c>openshell.push.bytes</c>: layer bytes uploaded to the registry (layers it already had are not counted).</summary>
    internal static Counter<long> PushBytes { get; } =
        Meter.CreateCounter<long>("openshell.push.bytes", "By", "Bytes of image layers pushed to the registry.");

    /// <summary><c>openshell.watcher.events</c>: change batches the watcher delivered, by kind.</summary>
    internal static Counter<long> WatcherEvents { get; } =
        Meter.CreateCounter<long>("openshell.watcher.events", "{batch}", "Batches of file-system events that count as changes.");

    /// <summary>Counts one batch of changes the watcher delivered.</summary>
    internal static void CountWatcherEvent(TreeChange change) =>
        WatcherEvents.Add(1, new KeyValuePair<string, object?>(TelemetryTags.EventKind, change.Rescan ? "rescan" : change.GitActivity ? "git" : "changes"));
}
