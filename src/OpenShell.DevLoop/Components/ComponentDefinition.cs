namespace OpenShell.DevLoop.Components;

/// <summary>One deployable component as declared in <c>deploy/dev/components.json</c>.</summary>
/// <param name="Name">The target name on the command line (<c>gateway</c>).</param>
/// <param name="Kind">How it is deployed.</param>
/// <param name="StateKey">Its key in the deploy state file (<c>gateway</c>, <c>supervisor</c>, <c>helm</c>).</param>
/// <param name="Label">The plan line's label (<c>build gateway</c>).</param>
/// <param name="Aliases">Other target names accepted for it.</param>
/// <param name="Include">Globs of its input files, shared groups already expanded.</param>
/// <param name="Exclude">Globs removed from its inputs, the global excludes included.</param>
public sealed record ComponentDefinition(
    string Name,
    ComponentKind Kind,
    string StateKey,
    string Label,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Exclude)
{
    /// <summary>How it is built and rolled out, for an <see cref="ComponentKind.Image"/> component.</summary>
    public ImageDeployment? Image { get; init; }

    /// <summary>How it is built and put on the node, for a <see cref="ComponentKind.Binary"/> component.</summary>
    public BinaryDeployment? Binary { get; init; }

    /// <summary>How it is applied, for a <see cref="ComponentKind.Helm"/> component.</summary>
    public HelmDeployment? Helm { get; init; }

    /// <summary>The image deploy settings; throws for another kind.</summary>
    public ImageDeployment ImageSettings => Image ?? throw NotOfKind(ComponentKind.Image);

    /// <summary>The binary deploy settings; throws for another kind.</summary>
    public BinaryDeployment BinarySettings => Binary ?? throw NotOfKind(ComponentKind.Binary);

    /// <summary>The helm deploy settings; throws for another kind.</summary>
    public HelmDeployment HelmSettings => Helm ?? throw NotOfKind(ComponentKind.Helm);

    private InvalidOperationException NotOfKind(ComponentKind kind) =>
        new($"Component \"{Name}\" is of kind {Kind.ToString().ToLowerInvariant()}, not {kind.ToString().ToLowerInvariant()}.");
}
