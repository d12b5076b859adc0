namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A deployable part of OpenShell inside the cluster (the gateway, the supervisor binary, the chart). Its state follows
/// the last deploy; its console shows that component's build and deploy output.
/// </summary>
/// <param name="name">The resource name, also the component name in <c>deploy/dev/components.json</c>.</param>
/// <param name="cluster">The cluster the component is deployed to.</param>
public sealed class OpenShellComponentResource(string name, OpenShellClusterResource cluster) : Resource(name), IResourceWithParent<OpenShellClusterResource>, IResourceWithWaitSupport
{
    /// <inheritdoc />
    public OpenShellClusterResource Parent { get; } = cluster;
}
