namespace OpenShell.DevLoop.Deploy;

/// <summary>One thing that happened during a deploy, for a console or a dashboard.</summary>
/// <param name="Step">The step it belongs to.</param>
/// <param name="Kind">What it reports.</param>
/// <param name="Message">Words for a person (for <see cref="DeployEventKind.Line"/>, the exact upstream line).</param>
/// <param name="Elapsed">The step's duration, on <see cref="DeployEventKind.Succeeded"/> and <see cref="DeployEventKind.Failed"/>.</param>
/// <param name="Component">The component the step works on (its name in components.json); null for planning and the whole deploy.</param>
/// <param name="Sha256">When a binary's new build is on the node: the sha256 it runs now, verified there (the deploy may still verify it with a sandbox).</param>
public sealed record DeployEvent(DeployStep Step, DeployEventKind Kind, string Message, TimeSpan? Elapsed = null, string? Component = null, string? Sha256 = null);
