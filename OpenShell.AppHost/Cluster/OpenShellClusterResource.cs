namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The single-container k3s cluster node (<c>openshell-cluster-&lt;name&gt;</c>), bootstrapped or reused like
/// OpenShell's scripts do. Its connection string is the path of the kubeconfig written for local tools.
/// </summary>
/// <param name="name">The resource name.</param>
/// <param name="kubeconfigPath">Where the kubeconfig is written.</param>
public sealed class OpenShellClusterResource(string name, string kubeconfigPath) : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>The kubeconfig path (written once the cluster's API answers).</summary>
    public string KubeconfigPath { get; } = kubeconfigPath;

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{KubeconfigPath}");

    /// <summary>Environment variable name under which references receive the kubeconfig path.</summary>
    public string? ConnectionStringEnvironmentVariable => "KUBECONFIG";
}
