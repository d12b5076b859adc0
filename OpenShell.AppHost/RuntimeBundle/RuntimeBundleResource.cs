namespace Aspire.Hosting.ApplicationModel;

/// <summary>The verified GPU runtime bundle that the cluster image is built with.</summary>
/// <param name="name">The resource name.</param>
public sealed class RuntimeBundleResource(string name) : Resource(name), IResourceWithWaitSupport
{
}
