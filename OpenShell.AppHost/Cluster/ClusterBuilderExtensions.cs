using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenShell.AppHost.DevLoop;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.AppHost.Cluster;

/// <summary>Adds the cluster node resource: its health check, its Recreate command, and the start of the dev session.</summary>
internal static class ClusterBuilderExtensions
{
    public static IResourceBuilder<OpenShellClusterResource> AddClusterNode(
        this IDistributedApplicationBuilder builder, string name, OpenShellSettings settings, ClusterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var healthKey = $"{name}_kubernetes";
        var health = new ClusterHealth(paths.Kubeconfig);
        builder.Services.AddSingleton(health);
        builder.Services.AddHealthChecks().AddAsyncCheck(healthKey, health.CheckAsync);
        return builder.AddResource(new OpenShellClusterResource(name, paths.Kubeconfig))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Cluster",
                State = new ResourceStateSnapshot(DashboardVocabulary.States.WaitingForBundle, KnownResourceStateStyles.Info),
                Properties =
                [
                    new(DashboardVocabulary.Properties.ClusterContainer, ClusterName.ContainerName(paths.ClusterName)),
                    new(DashboardVocabulary.Properties.ClusterImage, settings.Cluster.Image),
                ],
            })
            .WithIconName("Server")
            .WithHealthCheck(healthKey)
            .ExcludeFromManifest()
            .OnInitializeResource((resource, e, _) =>
            {
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                e.Services.GetRequiredService<DevLoopDashboard>().Start(ct => e.Notifications.WaitForDependenciesAsync(resource, ct), stopping);
                return Task.CompletedTask;
            })
            .WithCommand("recreate", "Recreate", DevLoopCommands.RecreateAsync, new CommandOptions
            {
                Description = "Remove the cluster container and its volume, bootstrap it again and redeploy everything.",
                IconName = "ArrowReset",
                ConfirmationMessage = "Recreate the cluster? Its container and volume (sandboxes, secrets) are removed.",
                UpdateState = ctx => ctx.ResourceSnapshot.State?.Text is DashboardVocabulary.States.Running or DashboardVocabulary.States.Failed
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            });
    }
}
