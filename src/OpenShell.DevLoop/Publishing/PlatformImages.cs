using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// The base image of one architecture. The engine keeps one image per tag, so an image for another architecture than
/// the engine's is looked up under the tag with the architecture appended (<c>openshell-offline/cluster-base:bookworm-arm64</c>,
/// as <c>eng/offline-images.sh</c> tags its arm64 stand-ins); the engine's own architecture uses the tag itself (pulled
/// when missing). Either way its configuration must say the architecture.
/// </summary>
public static class PlatformImages
{
    /// <summary>The reference of <paramref name="image"/> for <paramref name="architecture"/> on an engine of <paramref name="engineArchitecture"/>.</summary>
    public static string For(string image, string architecture, string engineArchitecture)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        if (architecture == engineArchitecture)
        {
            return image;
        }

        var reference = ImageReference.Parse(image);
        return reference.Digest is not null
            ? throw new PublishException($"The base image {image} is pinned by digest; a digest names one platform, so the {architecture} base cannot be derived from it.",
                $"Name the base by tag, and tag its {architecture} variant as <tag>-{architecture}.")
            : $"{(reference.Registry is null ? "" : reference.Registry + "/")}{reference.Repository}:{reference.Tag}-{architecture}";
    }

    /// <summary>
    /// Resolves and checks the <paramref name="architecture"/> base of <paramref name="image"/>: present (the engine's
    /// architecture is pulled when missing) and configured for that architecture.
    /// </summary>
    /// <exception cref="PublishException">It is missing or of another architecture.</exception>
    public static async Task<string> EnsureAsync(IDockerClient docker, string image, string architecture, string engineArchitecture, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        var reference = For(image, architecture, engineArchitecture);
        if (architecture == engineArchitecture)
        {
            await ImagePuller.EnsurePresentAsync(docker, reference, logger, ct: ct).ConfigureAwait(false);
        }

        string? actual;
        try
        {
            actual = (await docker.Images.InspectImageAsync(reference, ct).ConfigureAwait(false)).Architecture;
        }
        catch (DockerImageNotFoundException)
        {
            throw new PublishException(
                $"The {architecture} base image {reference} (for {image}) is missing: this {engineArchitecture} engine keeps one image per tag, so bases of another architecture are looked up as <tag>-{architecture}.",
                $"Offline: run 'sudo bash eng/offline-images.sh' (it builds the arm64 stand-ins). Online: 'docker pull --platform linux/{architecture} {image}', "
                + $"'docker tag {image} {reference}', then 'docker pull {image}' again for the {engineArchitecture} one.");
        }

        if (BundleArchitecture.TryNormalize(actual) != architecture)
        {
            throw new PublishException(
                $"The base image {reference} is built for '{actual}', not {architecture}.",
                $"Tag a {architecture} image as {reference}.");
        }

        return reference;
    }
}
