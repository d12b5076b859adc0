using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Engine;

/// <summary>The engine as a front end shows it: where it is, what it runs, its forwards, and whether it answers.</summary>
/// <param name="Link">Whether it answers.</param>
/// <param name="Address">The engine's address and where it was chosen (<see cref="EngineConnection.ToString"/>).</param>
/// <param name="Facts">What the last successful check learned; null before the first.</param>
/// <param name="Problem">Why the last check failed, with the remedy; null when connected.</param>
/// <param name="FailedChecks">Checks failed in a row.</param>
/// <param name="RetryIn">When the next check runs after a failure.</param>
public sealed record EngineStatus(
    EngineLink Link, string Address, EngineFacts? Facts = null, DevLoopException? Problem = null, int FailedChecks = 0, TimeSpan? RetryIn = null);
