namespace OpenShell.DevLoop.Engine;

/// <summary>Why an SSH tunnel to a remote engine could not be opened, as read from <c>ssh</c>'s own error output.</summary>
public enum SshFailure
{
    /// <summary>The <c>ssh</c> client is not installed.</summary>
    ClientMissing,

    /// <summary>The remote host's key is not in <c>known_hosts</c> (BatchMode never asks).</summary>
    HostKeyUnknown,

    /// <summary>The remote host's key differs from the one in <c>known_hosts</c>.</summary>
    HostKeyChanged,

    /// <summary>The remote host refused every key offered.</summary>
    AuthenticationRefused,

    /// <summary>The host name does not resolve, or nothing answers on its SSH port.</summary>
    HostUnreachable,

    /// <summary>SSH works, but the remote engine's socket cannot be opened (missing, or not the user's to open).</summary>
    RemoteSocketMissing,

    /// <summary>Anything else: <c>ssh</c> exited, or the engine did not answer through the tunnel in time.</summary>
    Other,
}
