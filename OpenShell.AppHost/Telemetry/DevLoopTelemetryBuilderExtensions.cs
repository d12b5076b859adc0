using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Session;

namespace OpenShell.AppHost.Telemetry;

/// <summary>Sends the dev loop's own telemetry to the AppHost's dashboard.</summary>
internal static class DevLoopTelemetryBuilderExtensions
{
    /// <summary>
    /// Exports the deploy traces and metrics to the dashboard's OTLP endpoint with its API key, from before the first
    /// resource starts until the AppHost stops, and relays the cluster's own telemetry (gateway, supervisors) to it.
    /// Nothing happens when the dashboard has no OTLP endpoint.
    /// </summary>
    public static IDistributedApplicationBuilder AddDevLoopTelemetry(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode || DashboardOtlp.Resolve(builder.Configuration) is not { } dashboard)
        {
            return builder;
        }

        // Created by the container, so it is disposed (and flushed) when the AppHost stops.
        builder.Services.TryAddSingleton(_ => new DevLoopTelemetryExport(dashboard));
        builder.Services.TryAddSingleton(services => new OtlpRelayHost(
            services.GetRequiredService<OpenShellSettings>(), dashboard, services.GetRequiredService<IDockerClient>()));
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            e.Services.GetRequiredService<DevLoopTelemetryExport>();
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(DevSession.ClusterScope);
            await e.Services.GetRequiredService<OtlpRelayHost>().StartAsync(logger, ct).ConfigureAwait(false);
        });
        return builder;
    }
}
