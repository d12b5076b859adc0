using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Engine;

/// <summary>The SSH tunnel to an <c>ssh://</c> engine could not be opened; <see cref="Failure"/> says why.</summary>
public sealed class SshTunnelException : DevLoopException
{
    /// <summary>Creates the error for <paramref name="failure"/> with the cause and the fix.</summary>
    public SshTunnelException(SshFailure failure, string message, string? remedy, Exception? innerException = null)
        : base(EngineConnectionException.Step, message, remedy, RemedyAction.None, innerException)
    {
        Failure = failure;
    }

    /// <summary>Why the tunnel failed.</summary>
    public SshFailure Failure { get; }
}
