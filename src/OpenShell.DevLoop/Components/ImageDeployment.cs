namespace OpenShell.DevLoop.Components;

/// <summary>How an <see cref="ComponentKind.Image"/> component is built and rolled out.</summary>
/// <param name="Project">The project published into the image (<c>src/OpenShell.Server/OpenShell.Server.csproj</c>), relative to the repository root.</param>
/// <param name="Dockerfile">The Dockerfile the image is built from, relative to the repository root.</param>
/// <param name="Repository">The image's name under the image repository base (<c>gateway</c> → <c>127.0.0.1:5000/openshell/gateway</c>).</param>
/// <param name="Chart">The helm component whose values pin the image by digest; null when the catalogue has no helm component (the image is then built and pushed only).</param>
/// <param name="ValuesKey">The key in the chart's values that holds the image (<c>image</c>: <c>image.repository</c>, <c>image.digest</c>); dots nest.</param>
/// <param name="WorkloadNamespace">The namespace of the StatefulSet that runs the image.</param>
/// <param name="WorkloadName">The StatefulSet that runs the image; the rollout waits for it.</param>
/// <param name="IsGateway">True for the image that serves OpenShell's gateway on the cluster's gateway port.</param>
public sealed record ImageDeployment(
    string Project,
    string Dockerfile,
    string Repository,
    string? Chart,
    string ValuesKey,
    string WorkloadNamespace,
    string WorkloadName,
    bool IsGateway)
{
    /// <summary>The StatefulSet as written in the catalogue (<c>namespace/name</c>).</summary>
    public string Workload => $"{WorkloadNamespace}/{WorkloadName}";
}
