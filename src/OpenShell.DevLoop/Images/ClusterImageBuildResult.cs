namespace OpenShell.DevLoop.Images;

/// <summary>A built cluster image.</summary>
/// <param name="Tag">The image tag.</param>
/// <param name="Architecture">The architecture it was built for.</param>
/// <param name="ChartSha256">The packaged chart's checksum (filled into the HelmChart by the entrypoint).</param>
/// <param name="BundleDirectory">The staged runtime bundle it carries.</param>
public sealed record ClusterImageBuildResult(string Tag, string Architecture, string ChartSha256, string BundleDirectory);
