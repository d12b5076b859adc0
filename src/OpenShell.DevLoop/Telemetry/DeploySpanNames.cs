using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Telemetry;

/// <summary>
/// The names of a deploy's spans. A step's span name is also its key in the deploy history and the
/// <see cref="TelemetryTags.Step"/> value of its measurements; the phases are spans inside a step.
/// </summary>
public static class DeploySpanNames
{
    /// <summary>The root span of a deploy.</summary>
    public const string Deploy = "deploy";

    /// <summary>The gateway's <c>dotnet publish</c>, inside <c>gateway build</c>.</summary>
    public const string PublishGateway = "publish gateway";

    /// <summary>The gateway image build through the engine, inside <c>gateway build</c>.</summary>
    public const string ImageBuild = "image build";

    /// <summary>The supervisor's <c>dotnet publish</c>, inside <c>supervisor</c>.</summary>
    public const string PublishSupervisor = "publish supervisor";

    /// <summary>The atomic swap of the supervisor binary on the node, inside <c>supervisor</c>.</summary>
    public const string SupervisorSwap = "supervisor swap";

    /// <summary>The span name of <paramref name="step"/>.</summary>
    public static string Of(DeployStep step) => step switch
    {
        DeployStep.ChangeDetection => "plan",
        DeployStep.Builds => "gateway build",
        DeployStep.Supervisor => "supervisor",
        DeployStep.ImagePush => "image push",
        DeployStep.HelmUpgrade => "chart update",
        DeployStep.GatewayRollout => "rollout wait",
        DeployStep.Total => Deploy,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown deploy step"),
    };
}
