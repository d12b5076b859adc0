using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Deploy;

/// <summary>A deploy step failed; the message names the cause and the fix. The state file is left as it was for that step.</summary>
public sealed class DeployException : DevLoopException
{
    /// <summary>Creates the exception for a failed <paramref name="step"/>.</summary>
    public DeployException(DeployStep step, string message, Exception? innerException = null)
        : base(DeployStepLabels.Of(step), message, null, RemedyAction.DeployAgain, innerException)
    {
        Step = step;
    }

    /// <summary>Creates the exception.</summary>
    public DeployException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DeployException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public DeployException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The step that failed.</summary>
    public DeployStep Step { get; }

    /// <summary>The component whose step failed (its name in components.json); null when the deploy as a whole failed.</summary>
    public string? Component { get; init; }

    /// <summary>The steps that ran before the failure, with their outcomes.</summary>
    public IReadOnlyList<DeployStepResult> Steps { get; init; } = [];
}
