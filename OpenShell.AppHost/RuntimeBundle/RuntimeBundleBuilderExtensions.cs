using OpenShell.AppHost.DevLoop;

namespace OpenShell.AppHost.RuntimeBundle;

/// <summary>Adds the runtime bundle resource; the dev session verifies the bundle and the dashboard shows it.</summary>
internal static class RuntimeBundleBuilderExtensions
{
    public static IResourceBuilder<RuntimeBundleResource> AddRuntimeBundle(this IDistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new RuntimeBundleResource(name))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RuntimeBundle",
                State = new ResourceStateSnapshot(DashboardVocabulary.States.Verifying, KnownResourceStateStyles.Info),
                Properties = [],
            })
            .WithIconName("Archive")
            .ExcludeFromManifest();
    }
}
