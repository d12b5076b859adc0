namespace OpenShell.DevLoop.History;

/// <summary>One step of a recorded deploy.</summary>
/// <param name="Name">The step's span name (<c>plan</c>, <c>gateway build</c>, <c>image push</c>, ...).</param>
/// <param name="Outcome"><c>succeeded</c>, <c>skipped</c> or <c>failed</c>.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Component">The component it worked on, when it has one.</param>
public sealed record DeployHistoryStep(string Name, string Outcome, double Seconds, string? Component = null);
