using OpenShell.AppHost.DevLoop;

namespace OpenShell.AppHost.Watcher;

/// <summary>Adds the watcher resource with its deploy-now, pause and resume commands.</summary>
internal static class WatcherBuilderExtensions
{
    public static IResourceBuilder<DevLoopWatcherResource> AddWatcher(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<OpenShellClusterResource> cluster, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var initial = enabled
            ? new ResourceStateSnapshot(DashboardVocabulary.States.WaitingForCluster, KnownResourceStateStyles.Info)
            : new ResourceStateSnapshot(DashboardVocabulary.States.Disabled, KnownResourceStateStyles.Info);
        return builder.AddResource(new DevLoopWatcherResource(name, cluster.Resource))
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "Watcher", State = initial, Properties = [] })
            .WithIconName("Eye")
            .WithParentRelationship(cluster)
            .ExcludeFromManifest()
            .WithCommand("deploy-now", "Deploy changes now", DevLoopCommands.DeployNowAsync, new CommandOptions
            {
                Description = "Plan and deploy now, without waiting for a file change.",
                IconName = "Play",
                IsHighlighted = true,
                UpdateState = DevLoopCommands.WhenClusterReady,
            })
            .WithCommand("pause", "Pause watching", ctx => DevLoopCommands.PauseAsync(ctx, pause: true), new CommandOptions
            {
                Description = "Stop deploying on file changes; changes are remembered until you resume.",
                IconName = "Pause",
                UpdateState = ctx => ctx.ResourceSnapshot.State?.Text is null or DashboardVocabulary.States.Paused or DashboardVocabulary.States.Disabled
                    or DashboardVocabulary.States.WaitingForCluster
                    ? ResourceCommandState.Hidden
                    : ResourceCommandState.Enabled,
            })
            .WithCommand("resume", "Resume watching", ctx => DevLoopCommands.PauseAsync(ctx, pause: false), new CommandOptions
            {
                Description = "Deploy what changed while paused, then keep watching.",
                IconName = "Play",
                UpdateState = ctx => ctx.ResourceSnapshot.State?.Text == DashboardVocabulary.States.Paused ? ResourceCommandState.Enabled : ResourceCommandState.Hidden,
            });
    }
}
