namespace OpenShell.DevLoop.Engine;

/// <summary>How an <c>ssh://</c> engine is reached: the system <c>ssh</c> client forwards its socket to a local one.</summary>
/// <param name="RemoteSocket">The engine's socket on the remote machine (<c>OpenShell:Engine:RemoteSocket</c>).</param>
/// <param name="ConfigFile">An <c>ssh_config</c> file passed with <c>-F</c> (<c>OpenShell:Engine:SshConfig</c>), or null for the user's own.</param>
public sealed record EngineSsh(string RemoteSocket, string? ConfigFile)
{
    /// <summary>Where Docker's engine listens unless the remote machine says otherwise.</summary>
    public const string DefaultRemoteSocket = "/var/run/docker.sock";

    /// <summary>The default: the remote's standard socket and the user's ssh configuration.</summary>
    public static readonly EngineSsh Default = new(DefaultRemoteSocket, null);
}
