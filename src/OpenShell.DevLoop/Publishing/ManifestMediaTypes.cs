namespace OpenShell.DevLoop.Publishing;

/// <summary>The manifest media types a publish reads and writes.</summary>
public static class ManifestMediaTypes
{
    /// <summary>A Docker image manifest (schema 2): what <c>docker push</c> writes.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>A Docker manifest list: what a publish writes for several platforms (served by registries that cannot serve OCI indexes too).</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>An OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>An OCI image index.</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>Every type, for <c>Accept</c>: a registry answers with the stored type when it is listed.</summary>
    public static IReadOnlyList<string> All { get; } = [DockerManifest, DockerManifestList, OciManifest, OciIndex];
}
