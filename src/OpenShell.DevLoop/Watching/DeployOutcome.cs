namespace OpenShell.DevLoop.Watching;

/// <summary>How a deploy ended.</summary>
/// <param name="Succeeded">True when the tree is deployed.</param>
/// <param name="Message">A short summary, or the error a person can act on.</param>
internal sealed record DeployOutcome(bool Succeeded, string Message)
{
    /// <summary>A successful deploy.</summary>
    public static DeployOutcome Success(string message = "up to date") => new(true, message);

    /// <summary>A failed deploy.</summary>
    public static DeployOutcome Failure(string message) => new(false, message);
}
