namespace OpenShell.DevLoop.Telemetry;

/// <summary>The attribute names the dev loop puts on its spans and measurements.</summary>
public static class TelemetryTags
{
    /// <summary>What started the deploy (see <see cref="DeployTriggers"/>).</summary>
    public const string Trigger = "openshell.deploy.trigger";

    /// <summary>The components the plan rebuilds (a string array).</summary>
    public const string Components = "openshell.deploy.components";

    /// <summary>How the deploy ended: <c>succeeded</c>, <c>failed</c>, <c>cancelled</c> (or <c>nothing-to-do</c>).</summary>
    public const string Outcome = "openshell.deploy.outcome";

    /// <summary>The step of a span or a measurement (the span name of the step, e.g. <c>image push</c>).</summary>
    public const string Step = "openshell.deploy.step";

    /// <summary>The step that failed, on the root span of a failed deploy.</summary>
    public const string FailedStep = "openshell.deploy.failed_step";

    /// <summary>The component a step works on (a name from components.json).</summary>
    public const string Component = "openshell.component";

    /// <summary>A step's short result (the digest pushed, "HelmChart unchanged", ...).</summary>
    public const string Detail = "openshell.deploy.detail";

    /// <summary>Bytes of layers uploaded by a push.</summary>
    public const string PushBytes = "openshell.push.bytes";

    /// <summary>Layers the registry already had.</summary>
    public const string LayersReused = "openshell.push.layers_reused";

    /// <summary>Layers uploaded.</summary>
    public const string LayersPushed = "openshell.push.layers_pushed";

    /// <summary>The manifest digest pushed.</summary>
    public const string ImageDigest = "openshell.image.digest";

    /// <summary>The sha256 of the supervisor binary read back from the node.</summary>
    public const string SupervisorSha256 = "openshell.supervisor.sha256";

    /// <summary>The kind of a watcher event batch: <c>changes</c>, <c>git</c> or <c>rescan</c>.</summary>
    public const string EventKind = "openshell.watcher.event_kind";
}
