using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenShell.Core.V1;
using OpenShell.Server.Hosting;
using OpenShell.Server.Kubernetes;

namespace OpenShell.Server.Services;

/// <summary>The gateway's own version and health.</summary>
internal sealed class GatewayGrpcService(KubernetesReadinessCheck readiness) : Gateway.GatewayBase
{
    internal const string ApiRevision = "openshell.v1";

    public override Task<GetVersionResponse> GetVersion(GetVersionRequest request, ServerCallContext context) =>
        Task.FromResult(new GetVersionResponse { Version = GatewayProgram.Version, Api = ApiRevision });

    public override async Task<GetHealthResponse> GetHealth(GetHealthRequest request, ServerCallContext context)
    {
        var result = await readiness.CheckHealthAsync(new HealthCheckContext(), context.CancellationToken).ConfigureAwait(false);
        return new GetHealthResponse
        {
            KubernetesReachable = result.Status == HealthStatus.Healthy,
            Detail = result.Description ?? string.Empty,
        };
    }
}
