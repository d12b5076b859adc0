namespace OpenShell.DevLoop.Deploy;

/// <summary>Upstream's labels for the timing lines; OpenShell's scripts parse them.</summary>
public static class DeployStepLabels
{
    /// <summary>The label of <paramref name="step"/>, e.g. <c>Image push</c>.</summary>
    public static string Of(DeployStep step) => step switch
    {
        DeployStep.ChangeDetection => "Change detection",
        DeployStep.Builds => "Builds",
        DeployStep.Supervisor => "Supervisor build + deploy",
        DeployStep.ImagePush => "Image push",
        DeployStep.HelmUpgrade => "Helm upgrade",
        DeployStep.GatewayRollout => "Gateway rollout",
        DeployStep.SandboxVerification => "Sandbox verification",
        DeployStep.GatewayProbe => "Gateway probe",
        DeployStep.Total => "Total deploy",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "unknown deploy step"),
    };

    /// <summary>The timing line, e.g. <c>Image push took 2s</c> (whole seconds, as upstream prints).</summary>
    public static string TookLine(DeployStep step, TimeSpan elapsed) =>
        FormattableString.Invariant($"{Of(step)} took {(long)Math.Round(elapsed.TotalSeconds, MidpointRounding.AwayFromZero)}s");
}
