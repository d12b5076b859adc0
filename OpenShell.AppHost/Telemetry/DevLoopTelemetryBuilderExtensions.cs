using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OpenShell.AppHost.Telemetry;

/// <summary>Sends the dev loop's own telemetry to the AppHost's dashboard.</summary>
internal static class DevLoopTelemetryBuilderExtensions
{
    /// <summary>
    /// Exports the deploy traces and metrics to the dashboard's OTLP endpoint with its API key, from before the first
    /// resource starts until the AppHost stops. Nothing happens when the dashboard has no OTLP endpoint.
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
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<DevLoopTelemetryExport>();
            return Task.CompletedTask;
        });
        return builder;
    }
}
