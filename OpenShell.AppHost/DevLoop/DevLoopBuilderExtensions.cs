using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenShell.AppHost.DevLoop;
using OpenShell.AppHost.Telemetry;
using OpenShell.DevLoop.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// Adds OpenShell's dev loop to the app model: the runtime bundle, the cluster, the gateway, supervisor and chart
/// components, and the watcher, all driven by one <see cref="DevLoopCoordinator"/>.
/// </summary>
public static class DevLoopBuilderExtensions
{
    /// <summary>Adds every dev-loop resource; the cluster waits for <paramref name="registry"/>.</summary>
    public static IResourceBuilder<OpenShellClusterResource> AddOpenShellDevLoop(
        this IDistributedApplicationBuilder builder, OpenShellSettings settings, IResourceBuilder<LocalRegistryResource> registry)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);

        var host = DevHostSettings.From(builder.Configuration, builder.AppHostDirectory);
        var resources = new DevLoopResources();
        builder.Services.TryAddSingleton(settings);
        builder.Services.TryAddSingleton(host);
        builder.Services.TryAddSingleton(resources);
        builder.Services.TryAddSingleton<DevLoopCoordinator>();
        builder.AddDevLoopTelemetry();

        static DevLoopCoordinator Coordinator(IServiceProvider services) => services.GetRequiredService<DevLoopCoordinator>();
        static CancellationToken Stopping(IServiceProvider services) => services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;

        var bundle = builder.AddResource(new RuntimeBundleResource("runtime-bundle"))
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "RuntimeBundle", State = KnownResourceStates.NotStarted, Properties = [] })
            .WithIconName("Archive")
            .ExcludeFromManifest()
            .OnInitializeResource((res, e, initCt) =>
            {
                _ = Task.Run(() => Coordinator(e.Services).RunRuntimeBundleAsync(res, Stopping(e.Services)));
                return Task.CompletedTask;
            });
        resources.RuntimeBundle = bundle.Resource;

        var clusterPaths = new OpenShell.DevLoop.Cluster.ClusterPaths(host.RepositoryRoot!, OpenShell.DevLoop.Cluster.ClusterName.Resolve(settings.Cluster.Name, host.RepositoryRoot!));
        var clusterHealthKey = "cluster_kubernetes";
        builder.Services.AddHealthChecks().AddAsyncCheck(clusterHealthKey, ct => ClusterHealth.CheckAsync(clusterPaths.Kubeconfig, ct));
        var cluster = builder.AddResource(new OpenShellClusterResource("cluster", clusterPaths.Kubeconfig))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Cluster",
                State = KnownResourceStates.NotStarted,
                Properties = [new("cluster.container", OpenShell.DevLoop.Cluster.ClusterName.ContainerName(clusterPaths.ClusterName)), new("cluster.image", settings.Cluster.Image)],
            })
            .WithIconName("Server")
            .WithHealthCheck(clusterHealthKey)
            .WaitFor(registry)
            .WaitFor(bundle)
            .ExcludeFromManifest()
            .OnInitializeResource((res, e, initCt) =>
            {
                _ = Task.Run(() => Coordinator(e.Services).RunClusterAsync(res, recreate: false, Stopping(e.Services)));
                return Task.CompletedTask;
            })
            .WithCommand("recreate", "Recreate", async ctx =>
            {
                await Coordinator(ctx.Services).RecreateClusterAsync(ctx.CancellationToken);
                return Coordinator(ctx.Services).ClusterReady ? CommandResults.Success() : CommandResults.Failure("The cluster did not come back: see its console log.");
            }, new CommandOptions
            {
                Description = "Remove the cluster container and its volume, bootstrap it again and redeploy everything.",
                IconName = "ArrowReset",
                ConfirmationMessage = "Recreate the cluster? Its container and volume (sandboxes, secrets) are removed.",
                UpdateState = ctx => ctx.ResourceSnapshot.State?.Text is ResourceStates.Running or ResourceStates.Failed ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
        resources.Cluster = cluster.Resource;

        var gatewayHealthKey = "gateway_health";
        builder.Services.AddHealthChecks().AddCheck<GatewayHealth>(gatewayHealthKey);
        resources.Gateway = AddComponent(builder, cluster, "gateway", "Gateway", "Globe", "rebuild", "Rebuild and deploy",
            "Publish the gateway, build and push its image, pin the chart to the new digest and wait for the rollout.")
            .WithHealthCheck(gatewayHealthKey).Resource;
        resources.Supervisor = AddComponent(builder, cluster, "supervisor", "Supervisor", "Shield", "rebuild", "Rebuild and copy",
            "Publish the supervisor and swap it into the cluster node atomically.").Resource;
        resources.Chart = AddComponent(builder, cluster, "chart", "Chart", "DocumentTable", "upgrade", "Upgrade",
            "Package the chart and update the openshell HelmChart.").Resource;

        var watcher = builder.AddResource(new DevLoopWatcherResource("watcher", cluster.Resource))
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "Watcher", State = KnownResourceStates.NotStarted, Properties = [] })
            .WithIconName("Eye")
            .WithParentRelationship(cluster)
            .ExcludeFromManifest()
            .WithCommand("deploy-now", "Deploy changes now", async ctx =>
            {
                var coordinator = Coordinator(ctx.Services);
                if (coordinator.Loop is { } loop)
                {
                    var outcome = await loop.DeployNowAsync();
                    return outcome.Succeeded ? CommandResults.Success() : CommandResults.Failure(outcome.Message);
                }

                await coordinator.DeployAsync([], ctx.CancellationToken);
                return CommandResults.Success();
            }, new CommandOptions { Description = "Plan and deploy now, without waiting for a file change.", IconName = "Play", IsHighlighted = true, UpdateState = ClusterReady })
            .WithCommand("pause", "Pause watching", ctx =>
            {
                Coordinator(ctx.Services).Loop?.Pause();
                return Task.FromResult(CommandResults.Success());
            }, new CommandOptions
            {
                Description = "Stop deploying on file changes; changes are remembered until you resume.",
                IconName = "Pause",
                UpdateState = ctx => ctx.ResourceSnapshot.State?.Text is "Paused" or "Not started" or null ? ResourceCommandState.Hidden : ResourceCommandState.Enabled,
            })
            .WithCommand("resume", "Resume watching", ctx =>
            {
                Coordinator(ctx.Services).Loop?.Resume();
                return Task.FromResult(CommandResults.Success());
            }, new CommandOptions
            {
                Description = "Deploy what changed while paused, then keep watching.",
                IconName = "Play",
                UpdateState = ctx => ctx.ResourceSnapshot.State?.Text == "Paused" ? ResourceCommandState.Enabled : ResourceCommandState.Hidden,
            });
        if (!host.WatchEnabled)
        {
            watcher.WithInitialState(new CustomResourceSnapshot { ResourceType = "Watcher", State = new("Disabled", KnownResourceStateStyles.Info), Properties = [] });
        }

        resources.Watcher = watcher.Resource;
        return cluster;

        ResourceCommandState ClusterReady(UpdateCommandStateContext ctx) =>
            ctx.Services.GetRequiredService<DevLoopCoordinator>().ClusterReady ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
    }

    private static IResourceBuilder<OpenShellComponentResource> AddComponent(
        IDistributedApplicationBuilder builder, IResourceBuilder<OpenShellClusterResource> cluster, string name, string type, string icon,
        string command, string commandName, string description) =>
        builder.AddResource(new OpenShellComponentResource(name, cluster.Resource))
            .WithInitialState(new CustomResourceSnapshot { ResourceType = type, State = new(ResourceStates.Waiting, KnownResourceStateStyles.Info), Properties = [] })
            .WithIconName(icon)
            .WithParentRelationship(cluster)
            .ExcludeFromManifest()
            .WithCommand(command, commandName, async ctx =>
            {
                var result = await ctx.Services.GetRequiredService<DevLoopCoordinator>().DeployAsync([name], ctx.CancellationToken);
                return CommandResults.Success();
            }, new CommandOptions
            {
                Description = description,
                IconName = "ArrowSync",
                UpdateState = ctx => ctx.Services.GetRequiredService<DevLoopCoordinator>().ClusterReady ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });
}
