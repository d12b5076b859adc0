using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenShell.Server.Configuration;

namespace OpenShell.Server.Kubernetes;

/// <summary>Ready when the sandbox namespace's pods can be listed: the call every sandbox operation depends on.</summary>
internal sealed class KubernetesReadinessCheck(KubernetesConnection connection, GatewayOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connection.Client is not { } client)
        {
            return HealthCheckResult.Unhealthy(connection.Problem);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await client.CoreV1.ListNamespacedPodAsync(options.SandboxNamespace, limit: 1, cancellationToken: timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Kubernetes API unreachable: {ex.Message}");
        }
    }
}
