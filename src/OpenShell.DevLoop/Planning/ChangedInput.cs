using OpenShell.DevLoop.ChangeDetection;

namespace OpenShell.DevLoop.Planning;

/// <summary>A changed path that feeds a component, and the glob that made it an input.</summary>
/// <param name="Path">The path relative to the repository root.</param>
/// <param name="Kind">How it changed.</param>
/// <param name="Glob">The component's include glob that matched it.</param>
public sealed record ChangedInput(string Path, ChangeKind Kind, string Glob);
