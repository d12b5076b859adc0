using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Git;

/// <summary>Git failed or the repository could not be read; the message names the cause and the fix.</summary>
public sealed class GitException : DevLoopException
{
    /// <summary>Creates the exception.</summary>
    public GitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public GitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GitException()
    {
    }
}
