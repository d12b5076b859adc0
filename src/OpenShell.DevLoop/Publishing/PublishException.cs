using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// A publish refused its inputs or could not build: nothing has been pushed when it is thrown before the push phase.
/// Messages OpenShell's publishing script prints (<c>Unsupported cluster platform for runtime bundle publishing: …</c>)
/// keep its exact words.
/// </summary>
public sealed class PublishException : DevLoopException
{
    /// <summary>Creates the error.</summary>
    public PublishException(string message, string? remedy = null, Exception? innerException = null)
        : base("Publish", message, remedy, RemedyAction.None, innerException)
    {
    }
}
