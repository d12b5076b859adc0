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
    IReadOnlyList<string> Exclude);
