namespace OpenShell.DevLoop.Cluster;

/// <summary>The outcome of <c>cluster up</c>.</summary>
/// <param name="Decision">The bootstrap decision and its reason.</param>
/// <param name="ContainerId">The node container's id.</param>
/// <param name="KubeconfigPath">The kubeconfig written for local tools.</param>
/// <param name="ApiHostPort">The 127.0.0.1 port of the Kubernetes API.</param>
/// <param name="GatewayHostPort">The 127.0.0.1 port of the gateway.</param>
public sealed record ClusterUpResult(BootstrapDecision Decision, string ContainerId, string KubeconfigPath, int ApiHostPort, int GatewayHostPort);
