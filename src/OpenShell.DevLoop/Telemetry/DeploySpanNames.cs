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

    /// <summary>The <c>dotnet publish</c> phase of <paramref name="component"/> (<c>publish gateway</c>, <c>publish supervisor</c>).</summary>
    public static string Publish(string component) => $"publish {component}";

    /// <summary>The atomic swap of binary <paramref name="component"/> on the node (<c>supervisor swap</c>).</summary>
    public static string Swap(string component) => $"{component} swap";

    /// <summary>The span name of <paramref name="step"/>; the component it works on is its <see cref="TelemetryTags.Component"/> attribute.</summary>
    public static string Of(DeployStep step) => step switch
    {
        DeployStep.ChangeDetection => "plan",
        DeployStep.Builds => "gateway build",
        DeployStep.Supervisor => "supervisor",
        DeployStep.ImagePush => "image push",
        DeployStep.HelmUpgrade => "chart update",
        DeployStep.GatewayRollout => "rollout wait",
        DeployStep.SandboxVerification => "sandbox verification",
        DeployStep.GatewayProbe => "gateway probe",
        DeployStep.Total => Deploy,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown deploy step"),
    };
}
