using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// The gateway's health: by default a real GetHealth call over mTLS with the client certificate from <c>.cache/</c> to
/// the host-mapped port; with <c>GatewayHealthProbe=Kubernetes</c> its StatefulSet's rollout state. One instance (a
/// singleton) keeps the Kubernetes client; the gRPC channel is new on every check, since a kept connection would go on
/// reaching a replaced gateway pod through its grace period and call it healthy.
/// </summary>
internal sealed class GatewayHealth(OpenShellSettings settings, DevLoopDashboard dashboard) : IHealthCheck, IDisposable
{
    private KeptKubernetesClient? _kube;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var session = dashboard.Session;
        if (session.Cluster is not { } cluster)
        {
            return HealthCheckResult.Unhealthy("the cluster is not running yet");
        }

        return settings.DevHost.GatewayHealthProbe == "Kubernetes"
            ? await CheckStatefulSetAsync(LazyInitializer.EnsureInitialized(ref _kube, () => new KeptKubernetesClient(session.Paths.Kubeconfig)), session.Paths, cancellationToken)
            : await CheckMtlsAsync(session.Paths, cluster.GatewayHostPort, cancellationToken);
    }

    // The call a user's client makes: GetHealth on the published port, over mTLS with the certificate of .cache/pki/ (or in
    // the mode the cluster was created with: h2c for --plaintext).
    private static async Task<HealthCheckResult> CheckMtlsAsync(ClusterPaths paths, int? port, CancellationToken ct)
    {
        try
        {
            using var client = SandboxClient.Connect(GatewayEndpoint.Resolve(paths, port));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            var health = await client.GetHealthAsync(deadline.Token);
            return health.KubernetesReachable
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded("the gateway answers but cannot reach the Kubernetes API: " + health.Detail);
        }
        catch (SandboxException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    public void Dispose() => _kube?.Dispose();

    private static async Task<HealthCheckResult> CheckStatefulSetAsync(KeptKubernetesClient kube, ClusterPaths paths, CancellationToken ct)
    {
        if (!File.Exists(paths.Kubeconfig))
        {
            return HealthCheckResult.Unhealthy("no kubeconfig yet");
        }

        try
        {
            var set = await kube.Get().AppsV1.ReadNamespacedStatefulSetAsync(GatewayRolloutWaiter.Name, GatewayRolloutWaiter.Namespace, cancellationToken: ct);
            var wanted = set.Spec?.Replicas ?? 1;
            var status = set.Status;
            var ready = status is not null
                && status.ObservedGeneration >= set.Metadata.Generation
                && (status.ReadyReplicas ?? 0) >= wanted
                && (status.UpdatedReplicas ?? 0) >= wanted;
            return ready
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"statefulset/openshell: {status?.ReadyReplicas ?? 0}/{wanted} ready, {status?.UpdatedReplicas ?? 0} updated");
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or TaskCanceledException or k8s.Exceptions.KubeConfigException)
        {
            return HealthCheckResult.Unhealthy("statefulset/openshell cannot be read: " + ex.Message);
        }
    }
}
