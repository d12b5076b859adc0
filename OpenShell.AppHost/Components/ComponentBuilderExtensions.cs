using OpenShell.AppHost.DevLoop;
using OpenShell.DevLoop.Components;

namespace OpenShell.AppHost.Components;

/// <summary>Adds one resource for a catalogue entry, with the command its kind offers.</summary>
internal static class ComponentBuilderExtensions
{
    public static IResourceBuilder<OpenShellComponentResource> AddComponent(
        this IDistributedApplicationBuilder builder, IResourceBuilder<OpenShellClusterResource> cluster, ComponentDefinition component)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(component);
        var (type, icon, command) = Presentation(component.Kind);
        return builder.AddResource(new OpenShellComponentResource(component.Name, cluster.Resource))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = type,
                State = new ResourceStateSnapshot(DashboardVocabulary.States.WaitingForCluster, KnownResourceStateStyles.Info),
                Properties = [.. CatalogueProperties(component)],
            })
            .WithIconName(icon)
            .WithParentRelationship(cluster)
            .ExcludeFromManifest()
            .WithCommand(command.Name, command.DisplayName, ctx => DevLoopCommands.DeployAsync(ctx, component.Name), new CommandOptions
            {
                Description = command.Description,
                IconName = "ArrowSync",
                UpdateState = DevLoopCommands.WhenClusterReady,
            });
    }

    /// <summary>Where the catalogue says the component goes, shown from the start.</summary>
    public static IEnumerable<ResourcePropertySnapshot> CatalogueProperties(ComponentDefinition component)
    {
        ArgumentNullException.ThrowIfNull(component);
        yield return new(DashboardVocabulary.Properties.ComponentKind, component.Kind.ToString().ToLowerInvariant());
        if (component.Image is { } image)
        {
            yield return new(DashboardVocabulary.Properties.ImageRepository, image.Repository);
            yield return new(DashboardVocabulary.Properties.ImageChart, image.Chart ?? "");
            yield return new(DashboardVocabulary.Properties.ImageValuesKey, image.ValuesKey);
            yield return new(DashboardVocabulary.Properties.ImageWorkload, image.Workload);
        }

        if (component.Binary is { } binary)
        {
            yield return new(DashboardVocabulary.Properties.BinaryPath, binary.NodePath);
        }

        if (component.Helm is { } helm)
        {
            yield return new(DashboardVocabulary.Properties.ChartPath, helm.Path);
            yield return new(DashboardVocabulary.Properties.ChartRelease, helm.Release);
        }
    }

    /// <summary>The command name each kind offers (tests and scripts call it by name).</summary>
    public static string CommandOf(ComponentKind kind) => Presentation(kind).Command.Name;

    private static (string Type, string Icon, (string Name, string DisplayName, string Description) Command) Presentation(ComponentKind kind) => kind switch
    {
        ComponentKind.Image => ("Image", "Globe", ("rebuild", "Rebuild and deploy",
            "Publish, build and push the image, pin the chart to the new digest and wait for the rollout.")),
        ComponentKind.Binary => ("Binary", "Shield", ("rebuild", "Rebuild and copy",
            "Publish the binary and swap it into the cluster node atomically.")),
        _ => ("Chart", "DocumentTable", ("upgrade", "Upgrade", "Package the chart and update its HelmChart.")),
    };
}
