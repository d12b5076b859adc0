namespace OpenShell.DevLoop.State;

/// <summary>The state file's content, or why there is none.</summary>
/// <param name="State">The recorded state; null when the file is missing, unreadable or corrupt.</param>
/// <param name="Warning">Why the file was ignored (unreadable or corrupt), with the fix; null otherwise.</param>
public sealed record DeployStateReadResult(DeployState? State, string? Warning);
