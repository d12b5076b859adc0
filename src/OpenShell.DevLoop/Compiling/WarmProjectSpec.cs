namespace OpenShell.DevLoop.Compiling;

/// <summary>A project the <see cref="WarmCompiler"/> keeps compiled, with the global properties of the build it stands for.</summary>
/// <param name="Project">The project file, relative to the repository root.</param>
/// <param name="Properties">MSBuild global properties (<c>Name=Value</c>) of that build, as the project sees them.</param>
public sealed record WarmProjectSpec(string Project, IReadOnlyList<string> Properties);
