using OpenShell.DevLoop.Cluster;

namespace OpenShell.Bench.Planner;

/// <summary>Measures planning alone: answers at once that no engine is there.</summary>
internal sealed class NoEngineLocator : IClusterContainerLocator
{
    public Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default) =>
        Task.FromResult(new ClusterContainerLookup(null, "benchmark without an engine"));
}
