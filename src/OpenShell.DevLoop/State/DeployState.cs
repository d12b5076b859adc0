namespace OpenShell.DevLoop.State;

/// <summary>What the last successful automatic deploy recorded (upstream's <c>cluster-deploy-fast.state</c>).</summary>
/// <param name="ClusterName">The cluster it deployed to.</param>
/// <param name="ContainerId">The cluster container's id then; empty when it was unknown.</param>
/// <param name="Fingerprints">Fingerprints by state key (<c>gateway</c>, <c>supervisor</c>, <c>helm</c>); a missing key means "not deployed".</param>
public sealed record DeployState(string ClusterName, string ContainerId, IReadOnlyDictionary<string, string> Fingerprints);
