using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// Where and what a publish pushes, read as OpenShell's publishing script reads its variables: <c>DOCKER_REGISTRY</c>
/// (registry host and path), <c>IMAGE_TAG</c>, <c>DOCKER_PLATFORMS</c>, <c>TAG_LATEST</c>, <c>EXTRA_DOCKER_TAGS</c>.
/// </summary>
/// <param name="Host">The registry host (and port) the API is spoken to.</param>
/// <param name="Path">The path under the host the images go to (<c>myorg</c>); may be empty.</param>
/// <param name="Tag">The tag (<c>IMAGE_TAG</c>).</param>
/// <param name="Architectures">The architectures, in <c>DOCKER_PLATFORMS</c> order.</param>
/// <param name="ExtraTags">The tags the manifest lists are copied to (<c>latest</c> and <c>EXTRA_DOCKER_TAGS</c>, without <see cref="Tag"/>).</param>
public sealed record PublishTarget(string Host, string Path, string Tag, IReadOnlyList<string> Architectures, IReadOnlyList<string> ExtraTags)
{
    /// <summary>The cluster image's name under the registry, as upstream's registry mode names it.</summary>
    public const string ClusterName = "openshell-cluster";

    /// <summary>The gateway image's name under the registry.</summary>
    public const string GatewayName = "openshell-gateway";

    /// <summary>Reads the variables.</summary>
    /// <param name="registry"><c>DOCKER_REGISTRY</c>, e.g. <c>ghcr.io/myorg</c> or <c>127.0.0.1:5000/team</c>.</param>
    /// <param name="tag"><c>IMAGE_TAG</c>.</param>
    /// <param name="platforms"><c>DOCKER_PLATFORMS</c>, comma separated.</param>
    /// <param name="tagLatest"><c>TAG_LATEST</c> (already read: on only for exactly <c>true</c>).</param>
    /// <param name="extraTags"><c>EXTRA_DOCKER_TAGS</c>, comma or space separated.</param>
    /// <exception cref="PublishException">No registry, or a platform publishing does not support.</exception>
    public static PublishTarget From(string? registry, string tag, string platforms, bool tagLatest, string? extraTags)
    {
        if (string.IsNullOrWhiteSpace(registry))
        {
            throw new PublishException(
                "Set DOCKER_REGISTRY to push multi-arch images (e.g. ghcr.io/myorg)",
                "Pass --registry or set DOCKER_REGISTRY (e.g. 127.0.0.1:5000/team for a local registry).");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        var trimmed = registry.Trim().TrimEnd('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? trimmed : trimmed[..slash];
        var isHost = first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost";
        var host = isHost ? first : "docker.io";
        var path = isHost ? (slash < 0 ? "" : trimmed[(slash + 1)..]) : trimmed;

        // Split as the script's `IFS=',' read -a` splits: on commas only, no trimming, a trailing empty field dropped, so
        // " linux/arm64" or an empty field is an unsupported platform there and here.
        var fields = platforms.Length == 0 ? [] : platforms.Split(',');
        var architectures = new List<string>();
        foreach (var platform in fields.Length > 1 && fields[^1].Length == 0 ? fields[..^1] : fields)
        {
            var arch = platform switch
            {
                "linux/amd64" => BundleArchitecture.Amd64,
                "linux/arm64" => BundleArchitecture.Arm64,
                _ => throw new PublishException(
                    $"Unsupported cluster platform for runtime bundle publishing: {platform}",
                    "Set DOCKER_PLATFORMS to linux/amd64, linux/arm64 or both (comma separated)."),
            };
            // A platform named twice is built once (the script would build and list it twice).
            if (!architectures.Contains(arch))
            {
                architectures.Add(arch);
            }
        }

        if (architectures.Count == 0)
        {
            throw new PublishException($"DOCKER_PLATFORMS='{platforms}' names no platform.", "Set DOCKER_PLATFORMS to linux/amd64,linux/arm64 (the default) or one of them.");
        }

        // Upstream: commas become spaces, then the shell splits on blanks and newlines; extra tags first, then latest; the
        // tag being published is skipped.
        var requested = (extraTags ?? "").Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var tags = requested.ToList();
        if (tagLatest)
        {
            tags.Add("latest");
        }

        return new PublishTarget(host, path, tag, architectures, [.. tags.Where(t => t != tag).Distinct(StringComparer.Ordinal)])
        {
            Registry = trimmed,
            TagLatest = tagLatest,
            RequestedExtraTags = requested,
        };
    }

    /// <summary><c>DOCKER_REGISTRY</c> as given (without a trailing slash), as upstream's summary names it.</summary>
    public string Registry { get; init; } = "";

    /// <summary><c>TAG_LATEST</c>.</summary>
    public bool TagLatest { get; init; }

    /// <summary><c>EXTRA_DOCKER_TAGS</c> split, as given (a tag equal to <see cref="Tag"/> included, as upstream's summary lists it).</summary>
    public IReadOnlyList<string> RequestedExtraTags { get; init; } = [];

    /// <summary>
    /// Upstream's closing lines: <c>Done! Multi-arch images pushed to &lt;registry&gt;:</c>, the gateway and cluster
    /// references, and which extra tags they also carry.
    /// </summary>
    public IReadOnlyList<string> DoneLines()
    {
        List<string> lines = [$"Done! Multi-arch images pushed to {Registry}:", $"  {Registry}/{GatewayName}:{Tag}", $"  {Registry}/{ClusterName}:{Tag}"];
        if (TagLatest)
        {
            lines.Add("  (all also tagged :latest)");
        }

        if (RequestedExtraTags.Count > 0)
        {
            lines.Add($"  (all also tagged: {string.Join(' ', RequestedExtraTags)})");
        }

        return lines;
    }

    /// <summary>The repository path of <paramref name="name"/> on the registry (<c>myorg/openshell-cluster</c>).</summary>
    public string Repository(string name) => Path.Length == 0 ? name : $"{Path}/{name}";

    /// <summary>The full image name of <paramref name="name"/> (<c>ghcr.io/myorg/openshell-cluster</c>).</summary>
    public string Image(string name) => $"{Host}/{Repository(name)}";

    /// <summary>The per-architecture tag, <c>&lt;tag&gt;-&lt;arch&gt;</c>.</summary>
    public string ArchitectureTag(string architecture) => $"{Tag}-{architecture}";

    /// <summary>The host the registry API answers on (Docker Hub's API is not at <c>docker.io</c>).</summary>
    public string ApiHost => Host == "docker.io" ? "registry-1.docker.io" : Host;
}
