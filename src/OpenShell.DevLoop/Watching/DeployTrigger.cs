namespace OpenShell.DevLoop.Watching;

/// <summary>What the deploy action is asked to handle.</summary>
/// <param name="Kind">Why the deploy started.</param>
/// <param name="Paths">The changed paths since the last successful deploy, sorted; informative, the planner decides.</param>
/// <param name="EventCount">How many change batches were coalesced into this deploy.</param>
/// <param name="FirstChangeAt">When the oldest change arrived, or null when nothing changed (a manual deploy).</param>
/// <param name="Sequence">The deploy's number, starting at 1.</param>
internal sealed record DeployTrigger(
    DeployTriggerKind Kind,
    IReadOnlyList<string> Paths,
    int EventCount,
    DateTimeOffset? FirstChangeAt,
    int Sequence);
