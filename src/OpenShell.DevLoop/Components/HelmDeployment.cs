namespace OpenShell.DevLoop.Components;

/// <summary>How a <see cref="ComponentKind.Helm"/> component is applied.</summary>
/// <param name="Path">The chart's folder, relative to the repository root (<c>deploy/helm/openshell</c>).</param>
/// <param name="Release">The name of the k3s HelmChart object (in <c>kube-system</c>) that installs it, also the Helm release.</param>
public sealed record HelmDeployment(string Path, string Release);
