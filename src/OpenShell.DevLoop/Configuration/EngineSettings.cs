namespace OpenShell.DevLoop.Configuration;

/// <summary>Which Docker engine to use (section <c>OpenShell:Engine</c>); unset, Docker's own rules apply.</summary>
public sealed class EngineSettings
{
    /// <summary>
    /// The engine's address (<c>unix://…</c>, <c>tcp://HOST:PORT</c>, <c>ssh://USER@HOST[:PORT]</c>); wins over
    /// <c>DOCKER_HOST</c> and the Docker context. TLS for a <c>tcp://</c> address comes from <c>DOCKER_TLS_VERIFY</c> and
    /// <c>DOCKER_CERT_PATH</c>.
    /// </summary>
    public string? Host { get; set; }

    /// <summary>
    /// The engine's socket on its own machine (default <c>/var/run/docker.sock</c>): forwarded for an <c>ssh://</c> engine,
    /// and for a <c>tcp://</c> one the socket the node mounts when it runs pods as containers (<c>OpenShell:Cluster:RunPods</c>).
    /// </summary>
    public string? RemoteSocket { get; set; }

    /// <summary>For an <c>ssh://</c> engine: an <c>ssh_config</c> file for the tunnel (default: the user's own, <c>~/.ssh/config</c>).</summary>
    public string? SshConfig { get; set; }

    /// <summary>
    /// For a <c>tcp://</c> engine: <c>USER@HOST[:PORT]</c> of an SSH server on the engine's machine through which its
    /// published ports are reached (local forwards to <c>OpenShell:Cluster:RemoteBindAddress</c> there); unset, they are
    /// dialled directly when they can be.
    /// </summary>
    public string? SshTunnel { get; set; }
}
