namespace OpenShell.DevLoop.Cluster;

/// <summary>Finds the running cluster container's id, so a plan can tell a recreated cluster apart.</summary>
public interface IClusterContainerLocator
{
    /// <summary>Looks up the container named <paramref name="containerName"/>; never throws for a missing engine or container.</summary>
    Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default);
}
