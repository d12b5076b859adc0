using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Engine;

/// <summary>The Docker engine to use could not be worked out: a bad <c>DOCKER_HOST</c>, a missing context or certificate.</summary>
public sealed class EngineConnectionException : DevLoopException
{
    /// <summary>The step name of every engine-selection failure.</summary>
    public const string Step = "Docker engine";

    /// <summary>Creates the error with the cause and the fix.</summary>
    public EngineConnectionException(string message, string? remedy = null, Exception? innerException = null)
        : base(Step, message, remedy, RemedyAction.None, innerException)
    {
    }
}
