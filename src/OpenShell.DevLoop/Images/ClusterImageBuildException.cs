using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Images;

/// <summary>The cluster image could not be built; the message says why and what to do.</summary>
public sealed class ClusterImageBuildException : DevLoopException
{
    /// <summary>Creates the exception.</summary>
    public ClusterImageBuildException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ClusterImageBuildException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ClusterImageBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
