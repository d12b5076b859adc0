namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>One upstream component a bundle was built from: its version and source commit.</summary>
/// <param name="Version">The component's version, e.g. <c>1.17.8-openshell.1</c>.</param>
/// <param name="Commit">The source commit it was built from.</param>
public sealed record BundleComponent(string Version, string Commit);
