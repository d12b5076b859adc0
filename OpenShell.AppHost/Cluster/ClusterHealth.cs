using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenShell.AppHost.DevLoop;

/// <summary>The cluster is healthy when its Kubernetes API answers through the kubeconfig written for local tools.</summary>
internal static class ClusterHealth
{
    public static async Task<HealthCheckResult> CheckAsync(string kubeconfig, CancellationToken ct)
    {
        if (!File.Exists(kubeconfig))
        {
            return HealthCheckResult.Unhealthy($"no kubeconfig at {kubeconfig} yet");
        }

        try
        {
            using var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await kube.CoreV1.ListNamespaceAsync(limit: 1, cancellationToken: ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or TaskCanceledException or k8s.Exceptions.KubeConfigException)
        {
            return HealthCheckResult.Unhealthy("the Kubernetes API does not answer: " + ex.Message);
        }
    }
}
