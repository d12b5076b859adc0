using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Planning;

/// <summary>Answers with a fixed container id (null = no engine), and remembers the name asked for.</summary>
internal sealed class FakeClusterContainerLocator(string? containerId) : IClusterContainerLocator
{
    public string? ContainerId { get; set; } = containerId;

    public string? LastAskedName { get; private set; }

    public Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default)
    {
        LastAskedName = containerName;
        return Task.FromResult(ContainerId is null
            ? new ClusterContainerLookup(null, "no Docker engine in this test")
            : new ClusterContainerLookup(ContainerId, null));
    }
}
