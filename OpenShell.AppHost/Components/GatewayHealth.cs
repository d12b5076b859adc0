using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Pki;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// The gateway's health: by default a real call over mTLS with the client certificate from <c>.cache/</c> to the
/// host-mapped port; in the offline profile (no pods run) its StatefulSet's rollout state.
/// </summary>
internal sealed class GatewayHealth(OpenShellSettings settings, DevLoopDashboard dashboard) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var session = dashboard.Session;
        if (session.Cluster is not { } cluster)
        {
            return HealthCheckResult.Unhealthy("the cluster is not running yet");
        }

        return settings.DevHost.GatewayHealthProbe == "Kubernetes"
            ? await CheckStatefulSetAsync(session.Paths, cancellationToken)
            : await CheckMtlsAsync(session.Paths, cluster.GatewayHostPort, cancellationToken);
    }

    private static async Task<HealthCheckResult> CheckMtlsAsync(ClusterPaths paths, int? port, CancellationToken ct)
    {
        var ca = Path.Combine(paths.PkiDirectory, ClusterSecrets.CaFile);
        var cert = Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientCertificateFile);
        var key = Path.Combine(paths.PkiDirectory, ClusterSecrets.ClientKeyFile);
        if (port is null || !File.Exists(ca) || !File.Exists(cert) || !File.Exists(key))
        {
            return HealthCheckResult.Unhealthy("the gateway port or the client certificate is not there yet");
        }

        using var trusted = X509CertificateLoader.LoadCertificateFromFile(ca);
        using var client = X509Certificate2.CreateFromPemFile(cert, key);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [client];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var url = new Uri($"https://127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}/");
            using var response = await http.GetAsync(url, ct);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"the gateway answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy("the gateway does not answer over mTLS: " + ex.Message);
        }
    }

    private static async Task<HealthCheckResult> CheckStatefulSetAsync(ClusterPaths paths, CancellationToken ct)
    {
        if (!File.Exists(paths.Kubeconfig))
        {
            return HealthCheckResult.Unhealthy("no kubeconfig yet");
        }

        try
        {
            using var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(paths.Kubeconfig));
            var set = await kube.AppsV1.ReadNamespacedStatefulSetAsync(GatewayRolloutWaiter.Name, GatewayRolloutWaiter.Namespace, cancellationToken: ct);
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
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or IOException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy("statefulset/openshell cannot be read: " + ex.Message);
        }
    }
}
