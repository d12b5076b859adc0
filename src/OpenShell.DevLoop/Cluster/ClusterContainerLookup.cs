namespace OpenShell.DevLoop.Cluster;

/// <summary>What the engine said about the cluster container.</summary>
/// <param name="ContainerId">The container's full id, or null when it is unknown.</param>
/// <param name="Note">Anything worth saying under <c>--explain</c> (no engine, no such container, not running); null when all is well.</param>
public sealed record ClusterContainerLookup(string? ContainerId, string? Note);
