namespace OpenShell.DevLoop.Images;

/// <summary>Everything the cluster image is assembled from, already verified and built for one architecture.</summary>
/// <param name="DeployDirectory">The repository's <c>deploy/</c> folder (Dockerfile, scripts, manifests).</param>
/// <param name="RuntimeBundleDirectory">The staged runtime bundle directory (install-root payload plus manifest.json).</param>
/// <param name="Chart">The packaged chart.</param>
/// <param name="SupervisorBinary">The supervisor binary built for the image's architecture.</param>
public sealed record ClusterImageInputs(string DeployDirectory, string RuntimeBundleDirectory, PackagedChart Chart, string SupervisorBinary);
