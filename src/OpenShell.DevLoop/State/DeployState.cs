namespace OpenShell.DevLoop.State;

/// <summary>What the last successful automatic deploy recorded (upstream's <c>cluster-deploy-fast.state</c>).</summary>
/// <param name="ClusterName">The cluster it deployed to.</param>
/// <param name="ContainerId">The cluster container's id then; empty when it was unknown.</param>
/// <param name="Fingerprints">Fingerprints by state key (<c>gateway</c>, <c>supervisor</c>, <c>helm</c>); a missing key means "not deployed".</param>
public sealed record DeployState(string ClusterName, string ContainerId, IReadOnlyDictionary<string, string> Fingerprints)
{
    /// <summary>
    /// Lines whose value is not a fingerprint (keys written by a newer version or by another tool, or a
    /// malformed fingerprint), in file order. They are ignored when planning and written back unchanged,
    /// except for a key that is written as a fingerprint.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> OtherEntries { get; init; } = [];
}
