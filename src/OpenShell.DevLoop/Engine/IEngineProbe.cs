namespace OpenShell.DevLoop.Engine;

/// <summary>One check of the engine: it answers, and the forwards to its ports are open (reopened when they were not).</summary>
public interface IEngineProbe
{
    /// <summary>Checks the engine once.</summary>
    /// <exception cref="Errors.DevLoopException">The engine or a forward does not answer; the message names which and why.</exception>
    Task<EngineFacts> CheckAsync(CancellationToken ct);
}
