namespace OpenShell.DevLoop.Cluster;

/// <summary>What the engine says about a cluster's node container.</summary>
/// <param name="ContainerName">The container name.</param>
/// <param name="Exists">False when no such container exists.</param>
/// <param name="State">The container state (running, exited, ...).</param>
/// <param name="Health">The health status (healthy, starting, unhealthy), or null.</param>
/// <param name="Image">The image it runs.</param>
/// <param name="ApiHostPort">The published API port, or null.</param>
/// <param name="LastHealthOutput">The output of the last health check (its HEALTHCHECK_* markers).</param>
public sealed record ClusterStatus(string ContainerName, bool Exists, string? State, string? Health, string? Image, int? ApiHostPort, string? LastHealthOutput);
