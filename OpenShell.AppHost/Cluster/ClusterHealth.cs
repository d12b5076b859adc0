using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// The cluster is healthy when its Kubernetes API answers through the kubeconfig written for local tools. Checked every
/// few seconds, with one client kept while the kubeconfig is the same file.
/// </summary>
internal sealed class ClusterHealth(string kubeconfig) : IDisposable
{
    private readonly KeptKubernetesClient _kube = new(kubeconfig);

    public async Task<HealthCheckResult> CheckAsync(CancellationToken ct)
    {
        if (!File.Exists(kubeconfig))
        {
            return HealthCheckResult.Unhealthy($"no kubeconfig at {kubeconfig} yet");
        }

        try
        {
            await _kube.Get().CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or TaskCanceledException or k8s.Exceptions.KubeConfigException)
        {
            return HealthCheckResult.Unhealthy("the Kubernetes API does not answer: " + ex.Message);
        }
    }

    public void Dispose() => _kube.Dispose();
}
