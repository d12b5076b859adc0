namespace OpenShell.DevLoop.History;

/// <summary>What <see cref="DeployHistory.ReadAsync"/> found.</summary>
/// <param name="Entries">The entries, oldest first.</param>
/// <param name="SkippedLines">Lines that were not a history entry (a write cut short by a crash, a hand edit).</param>
public sealed record DeployHistoryRead(IReadOnlyList<DeployHistoryEntry> Entries, int SkippedLines);
