namespace OpenShell.DevLoop.Images;

/// <summary>Everything the cluster image is assembled from, already verified and built for one architecture.</summary>
/// <param name="DeployDirectory">The repository's <c>deploy/</c> folder (Dockerfile, scripts, manifests).</param>
/// <param name="RuntimeBundleDirectory">The staged runtime bundle directory (install-root payload plus manifest.json).</param>
/// <param name="Chart">The packaged chart.</param>
/// <param name="SupervisorBinary">The supervisor binary built for the image's architecture.</param>
public sealed record ClusterImageInputs(string DeployDirectory, string RuntimeBundleDirectory, PackagedChart Chart, string SupervisorBinary)
{
    /// <summary>
    /// The platform to build for (<c>linux/arm64</c>); null builds for the engine's own. Every base image must then be
    /// of that platform: the final stage runs nothing, so no emulation is needed.
    /// </summary>
    public string? Platform { get; init; }

    /// <summary>The folder whose <c>*.yaml</c> become the image's <c>manifests/</c>; null takes <c>deploy/kube/manifests</c>.</summary>
    public string? ManifestsDirectory { get; init; }
}
