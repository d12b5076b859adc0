namespace OpenShell.DevLoop.Deploy;

/// <summary>The result of one step.</summary>
/// <param name="Step">The step.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Detail">A short summary (the digest pushed, "HelmChart unchanged", the error...).</param>
/// <param name="Component">The component the step worked on; null for planning and the whole deploy.</param>
public sealed record DeployStepResult(DeployStep Step, DeployStepOutcome Outcome, TimeSpan Duration, string Detail, string? Component = null);
