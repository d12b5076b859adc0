using System.Net;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Where an engine's containers publish their ports (the node's API and gateway, the dev registry) and how this machine
/// reaches them. One decision for every part, taken before anything is created:
/// <list type="bullet">
/// <item>a local socket: published on loopback, dialled as published;</item>
/// <item><c>ssh://</c>: published on the remote loopback, reached through SSH forwards over the same host;</item>
/// <item><c>tcp://</c> with <c>OpenShell:Engine:SshTunnel</c>: published on <c>OpenShell:Cluster:RemoteBindAddress</c>,
/// reached through SSH forwards to that address on the tunnel's host;</item>
/// <item><c>tcp://</c> to this machine (a loopback address or <c>localhost</c>): dialled at the bind address;</item>
/// <item><c>tcp://</c> elsewhere with a bind address off loopback: dialled at that address (the engine's host for a
/// wildcard);</item>
/// <item>otherwise refused: a remote loopback cannot be reached without a tunnel.</item>
/// </list>
/// </summary>
/// <param name="Route">How the ports are reached.</param>
/// <param name="BindAddress">The host IP the containers publish their ports on, on the engine's machine.</param>
/// <param name="DialHost">For <see cref="EnginePortRoute.Direct"/>: the address dialled.</param>
/// <param name="Tunnel">For <see cref="EnginePortRoute.SshForwards"/>: the SSH server (<c>ssh://[USER@]HOST[:PORT]</c>).</param>
/// <param name="ForwardTo">For <see cref="EnginePortRoute.SshForwards"/>: the address the forwards reach on the far side.</param>
public sealed record EnginePortPlan(EnginePortRoute Route, string BindAddress, string? DialHost = null, Uri? Tunnel = null, string? ForwardTo = null)
{
    /// <summary>The engine machine's loopback: the default bind address, and the only one for socket and <c>ssh://</c> engines.</summary>
    public const string DefaultBindAddress = "127.0.0.1";

    /// <summary>Where the tunnel's address comes from, for messages.</summary>
    public const string TunnelSetting = "OpenShell:Engine:SshTunnel";

    /// <summary>Where the bind address comes from, for messages.</summary>
    public const string BindSetting = "OpenShell:Cluster:RemoteBindAddress";

    /// <summary>
    /// Decides for <paramref name="engine"/> with the bind address (<c>OpenShell:Cluster:RemoteBindAddress</c>; null or
    /// empty: loopback) and the SSH tunnel (<c>OpenShell:Engine:SshTunnel</c>; null or empty: none), both used only for a
    /// <c>tcp://</c> engine.
    /// </summary>
    /// <exception cref="EngineConnectionException">A setting is malformed, or the published ports could not be reached.</exception>
    public static EnginePortPlan Decide(EngineConnection engine, string? remoteBindAddress, string? sshTunnel)
    {
        ArgumentNullException.ThrowIfNull(engine);
        switch (engine.Host.Scheme)
        {
            case "ssh":
                return new EnginePortPlan(EnginePortRoute.SshForwards, DefaultBindAddress, Tunnel: engine.Host, ForwardTo: DefaultBindAddress);
            case not "tcp":
                return new EnginePortPlan(EnginePortRoute.Loopback, DefaultBindAddress);
        }

        var bind = ParseBindAddress(remoteBindAddress);
        var bindText = Text(bind);
        // A wildcard is dialled at one of its addresses: loopback on the engine's side, the engine's host from here.
        var wildcard = bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any);
        if (!string.IsNullOrWhiteSpace(sshTunnel))
        {
            return new EnginePortPlan(EnginePortRoute.SshForwards, bindText, Tunnel: ParseTunnel(sshTunnel), ForwardTo: wildcard ? DefaultBindAddress : bindText);
        }

        if (IsThisMachine(engine.Host))
        {
            var dial = wildcard ? DefaultBindAddress : bindText;
            return dial == DefaultBindAddress
                ? new EnginePortPlan(EnginePortRoute.Loopback, bindText)
                : new EnginePortPlan(EnginePortRoute.Direct, bindText, DialHost: dial);
        }

        if (!IPAddress.IsLoopback(bind))
        {
            return new EnginePortPlan(EnginePortRoute.Direct, bindText, DialHost: wildcard ? engine.Host.DnsSafeHost : bindText);
        }

        throw new EngineConnectionException(
            $"the Docker engine at {engine.Host} ({engine.Source}) is on another machine, and the cluster and the dev registry publish their ports on its loopback ({bindText}, {BindSetting}), which this machine cannot reach",
            $"set {TunnelSetting} to USER@HOST[:PORT] of an SSH server on the engine's machine to reach them through SSH forwards, " +
            $"or (insecure: the Kubernetes API's port and the registry are then open to the network) set {BindSetting} to an address of that machine this one can reach");
    }

    /// <summary>The bind address as an IP address; null or empty is <see cref="DefaultBindAddress"/>.</summary>
    /// <exception cref="EngineConnectionException">It is not an IP address.</exception>
    public static IPAddress ParseBindAddress(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return IPAddress.Loopback;
        }

        // Docker publishes on an address, never on a name.
        if (!IPAddress.TryParse(text.Trim().Trim('[', ']'), out var address) || text.Contains('/', StringComparison.Ordinal))
        {
            throw new EngineConnectionException(
                $"{BindSetting} is \"{text}\", which is not an IP address",
                $"set it to an address of the engine's machine such as {DefaultBindAddress} (the default, its loopback), 10.0.0.5, or 0.0.0.0 for every interface");
        }

        return address;
    }

    /// <summary>The SSH server of <c>USER@HOST[:PORT]</c> as an <c>ssh://</c> address.</summary>
    /// <exception cref="EngineConnectionException">It is not of that form.</exception>
    public static Uri ParseTunnel(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var address = trimmed.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase) ? trimmed : "ssh://" + trimmed;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var host)
            || host.Host.Length == 0
            || host.AbsolutePath is not ("" or "/")
            || host.Query.Length > 0
            || host.Fragment.Length > 0
            || trimmed.Any(char.IsWhiteSpace))
        {
            throw new EngineConnectionException(
                $"{TunnelSetting} is \"{text}\", which is not an SSH server",
                "set it to USER@HOST or USER@HOST:PORT of an SSH server on the engine's machine");
        }

        if (host.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new EngineConnectionException($"{TunnelSetting} is \"{text}\", which holds a password",
                "remove the password (USER@HOST[:PORT]) and log in with a key (ssh-copy-id USER@HOST)");
        }

        return host;
    }

    /// <summary>True when <paramref name="host"/> names this machine: a loopback address or <c>localhost</c>.</summary>
    public static bool IsThisMachine(Uri host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.IsLoopback || (IPAddress.TryParse(host.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static string Text(IPAddress address) => address.ToString();
}
