namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// Multi-architecture publishing (section <c>OpenShell:Publish</c>), fed by the variables of OpenShell's
/// <c>docker-publish-multiarch.sh</c>: <c>DOCKER_REGISTRY</c>, <c>DOCKER_PLATFORMS</c>, <c>TAG_LATEST</c>,
/// <c>EXTRA_DOCKER_TAGS</c>. The tag is <c>IMAGE_TAG</c> (<see cref="ClusterSettings.ImageTag"/>).
/// </summary>
public sealed class PublishSettings
{
    /// <summary>The registry and path the images go to, e.g. <c>ghcr.io/myorg</c> (<c>DOCKER_REGISTRY</c>); required to publish.</summary>
    public string? Registry { get; set; }

    /// <summary>The platforms, comma separated (<c>DOCKER_PLATFORMS</c>).</summary>
    public string Platforms { get; set; } = "linux/amd64,linux/arm64";

    /// <summary>Also tag the images <c>latest</c> (<c>TAG_LATEST</c>, on only for exactly <c>true</c>).</summary>
    public bool TagLatest { get; set; }

    /// <summary>More tags, comma or space separated (<c>EXTRA_DOCKER_TAGS</c>).</summary>
    public string? ExtraTags { get; set; }

    /// <summary>Speak plain HTTP to a registry that is not on this machine (<c>--insecure-registry</c>).</summary>
    public bool InsecureRegistry { get; set; }
}
