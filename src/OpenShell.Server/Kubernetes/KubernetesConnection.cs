using k8s;
using OpenShell.Server.Configuration;

namespace OpenShell.Server.Kubernetes;

/// <summary>
/// The Kubernetes client, or why there is none: the gateway still starts (and answers <c>/healthz</c>) without a
/// cluster, reports not ready, and fails sandbox calls with <c>FailedPrecondition</c>.
/// </summary>
internal sealed class KubernetesConnection(IKubernetes? client, string? problem) : IDisposable
{
    public IKubernetes? Client { get; } = client;

    public string? Problem { get; } = problem;

    internal static KubernetesConnection Create(GatewayOptions options)
    {
        if (options.KubeconfigPath is { } path)
        {
            try
            {
                return new KubernetesConnection(new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path)), null);
            }
            catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or InvalidOperationException)
            {
                throw new GatewayConfigurationException($"--kubeconfig {path}: {ex.Message}");
            }
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            return new KubernetesConnection(new k8s.Kubernetes(KubernetesClientConfiguration.InClusterConfig()), null);
        }

        return new KubernetesConnection(null, "no Kubernetes configuration: not running in a cluster and --kubeconfig is not set");
    }

    public void Dispose() => Client?.Dispose();
}
