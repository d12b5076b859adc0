namespace OpenShell.DevLoop.History;

/// <summary>One deploy, as one line of <c>.cache/deploy-history.jsonl</c>.</summary>
/// <param name="Time">When the deploy started (UTC).</param>
/// <param name="Trigger">What started it (<see cref="Telemetry.DeployTriggers"/>).</param>
/// <param name="Outcome">How it ended (<see cref="DeployOutcomes"/>).</param>
/// <param name="TotalSeconds">The whole deploy.</param>
/// <param name="Components">The components the plan rebuilt (empty when nothing changed or planning failed).</param>
/// <param name="Changes">The changed paths that fed each component, by component name.</param>
/// <param name="Steps">Every step that ran or was skipped, in the order it ended.</param>
/// <param name="BytesPushed">Bytes of image layers uploaded to the registry.</param>
public sealed record DeployHistoryEntry(
    DateTimeOffset Time,
    string Trigger,
    string Outcome,
    double TotalSeconds,
    IReadOnlyList<string> Components,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Changes,
    IReadOnlyList<DeployHistoryStep> Steps,
    long BytesPushed)
{
    /// <summary>The error a person can act on, when the deploy failed.</summary>
    public string? Error { get; init; }

    /// <summary>The step that failed (its span name), when the deploy failed.</summary>
    public string? FailedStep { get; init; }

    /// <summary>The component whose step failed (its name in components.json), when one did.</summary>
    public string? FailedComponent { get; init; }

    /// <summary>
    /// How long the deploy waited for another deploy of the checkout (the deploy lock) before its first step: it held the
    /// lock from <see cref="Time"/> plus this wait for <see cref="TotalSeconds"/>.
    /// </summary>
    public double LockWaitSeconds { get; init; }

    /// <summary>True when the deploy succeeded.</summary>
    public bool Succeeded => Outcome == DeployOutcomes.Succeeded;
}
