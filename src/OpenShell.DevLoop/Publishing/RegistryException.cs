using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Publishing;

/// <summary>A registry refused or failed a request: the message names the registry, the request and what it answered.</summary>
public sealed class RegistryException : DevLoopException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The cause, naming the registry and the request.</param>
    /// <param name="remedy">What to do about it.</param>
    /// <param name="statusCode">The HTTP status the registry answered with, when it answered.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public RegistryException(string message, string? remedy = null, int? statusCode = null, Exception? innerException = null)
        : base("Registry", message, remedy, RemedyAction.None, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status the registry answered with; null when it did not answer.</summary>
    public int? StatusCode { get; }
}
