using k8s;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The Kubernetes client a deploy talks to the cluster with: transient API failures retried within a budget.</summary>
public static class KubernetesClients
{
    /// <summary>A client for <paramref name="configuration"/> whose requests are retried by <see cref="KubernetesApiRetryHandler"/>.</summary>
    public static IKubernetes Create(KubernetesClientConfiguration configuration, KubernetesApiRetryPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new Kubernetes(configuration, new KubernetesApiRetryHandler(policy));
    }
}
