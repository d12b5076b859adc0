namespace Aspire.Hosting.ApplicationModel;

/// <summary>Watches the working tree and deploys what changed into the cluster.</summary>
/// <param name="name">The resource name.</param>
/// <param name="cluster">The cluster changes are deployed to.</param>
public sealed class DevLoopWatcherResource(string name, OpenShellClusterResource cluster) : Resource(name), IResourceWithParent<OpenShellClusterResource>
{
    /// <inheritdoc />
    public OpenShellClusterResource Parent { get; } = cluster;
}
