namespace OpenShell.DevLoop.Engine;

/// <summary>One check of the engine: it answers, and the forwards to its ports are open (reopened when they were not).</summary>
public interface IEngineProbe
{
    /// <summary>Checks the engine once.</summary>
    /// <exception cref="Errors.DevLoopException">The engine or a forward does not answer; the message names which and why.</exception>
    Task<EngineFacts> CheckAsync(CancellationToken ct);

    /// <summary>
    /// Returns (or throws) when the connection to the engine drops, as a long-lived stream from the engine ends when the
    /// engine restarts: a restart quicker than the checks' interval is seen too. A probe that cannot tell never returns.
    /// </summary>
    Task WaitForDropAsync(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);
}
