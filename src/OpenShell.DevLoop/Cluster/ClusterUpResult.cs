namespace OpenShell.DevLoop.Cluster;

/// <summary>The outcome of <c>cluster up</c>.</summary>
/// <param name="Decision">The bootstrap decision and its reason.</param>
/// <param name="ContainerId">The node container's id.</param>
/// <param name="KubeconfigPath">The kubeconfig written for local tools.</param>
/// <param name="ApiHostPort">The port on this machine's 127.0.0.1 that reaches the Kubernetes API (the published port, or the local end of its SSH forward).</param>
/// <param name="GatewayHostPort">The port on this machine's 127.0.0.1 that reaches the gateway (the published port, or the local end of its SSH forward).</param>
public sealed record ClusterUpResult(BootstrapDecision Decision, string ContainerId, string KubeconfigPath, int ApiHostPort, int GatewayHostPort)
{
    /// <summary>How the node's gateway guards its port: the mode the node was created with.</summary>
    public GatewaySecurity Security { get; init; }
}
