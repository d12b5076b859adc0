using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Watching;

/// <summary>How a deploy ended.</summary>
/// <param name="Succeeded">True when the tree is deployed.</param>
/// <param name="Message">A short summary, or the error a person can act on.</param>
/// <param name="Error">The engine's error when it failed with one, so a front end can word its remedy.</param>
internal sealed record DeployOutcome(bool Succeeded, string Message, DevLoopException? Error = null)
{
    /// <summary>A successful deploy.</summary>
    public static DeployOutcome Success(string message = "up to date") => new(true, message);

    /// <summary>A failed deploy.</summary>
    public static DeployOutcome Failure(string message) => new(false, message);

    /// <summary>A deploy that failed with <paramref name="error"/>: its message, and the error for its remedy.</summary>
    public static DeployOutcome Failure(DevLoopException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(false, error.Message, error);
    }
}
