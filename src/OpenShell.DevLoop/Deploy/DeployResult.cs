using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>The outcome of a successful deploy (a failed one throws <see cref="DeployException"/>).</summary>
/// <param name="Plan">The plan that was executed.</param>
/// <param name="Steps">Every step with its outcome and duration, in execution order; <see cref="DeployStep.Total"/> last.</param>
/// <param name="Deployed">The components deployed (names from components.json).</param>
/// <param name="GatewayImage">The gateway image as pinned in the HelmChart (<c>repository@sha256:…</c>), when known.</param>
/// <param name="GatewayDigest">The gateway image's manifest digest in the registry, when the gateway was built.</param>
/// <param name="SupervisorSha256">The sha256 of the supervisor binary read back from the node, when it was deployed.</param>
/// <param name="ChartChecksum">The sha256 of the packaged chart, when the chart step ran.</param>
/// <param name="HelmChartChanged">True when the HelmChart object was updated (a new Helm revision).</param>
/// <param name="GatewayRolled">True when the gateway StatefulSet rolled to a new image.</param>
/// <param name="StateWritten">True when the state file was written (automatic mode).</param>
public sealed record DeployResult(
    DeployPlan Plan,
    IReadOnlyList<DeployStepResult> Steps,
    IReadOnlyList<string> Deployed,
    string? GatewayImage,
    string? GatewayDigest,
    string? SupervisorSha256,
    string? ChartChecksum,
    bool HelmChartChanged,
    bool GatewayRolled,
    bool StateWritten)
{
    /// <summary>True when the plan had nothing to do.</summary>
    public bool NothingToDo => Plan.NothingToDo;

    /// <summary>The duration of the whole deploy.</summary>
    public TimeSpan Total => Steps.LastOrDefault(s => s.Step == DeployStep.Total)?.Duration ?? TimeSpan.Zero;
}
