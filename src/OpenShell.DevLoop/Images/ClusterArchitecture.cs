using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Images;

/// <summary>The cluster's architecture, read from its image, and what builds aimed at the cluster need from it.</summary>
public static class ClusterArchitecture
{
    /// <summary>The .NET runtime identifier to publish for: <c>linux-x64</c> or <c>linux-arm64</c>.</summary>
    public static string RuntimeIdentifier(string architecture) => BundleArchitecture.Normalize(architecture) switch
    {
        BundleArchitecture.Amd64 => "linux-x64",
        _ => "linux-arm64",
    };

    /// <summary>The architecture of an image (Docker inspect <c>Architecture</c>), as <c>amd64</c> or <c>arm64</c>; a missing image is pulled first.</summary>
    /// <exception cref="ImagePullException">The image is missing and could not be pulled.</exception>
    /// <exception cref="InvalidOperationException">The image runs on an architecture the cluster does not support.</exception>
    public static Task<string> ReadAsync(IDockerClient docker, string image, CancellationToken ct = default) =>
        ReadAsync(docker, image, null, null, ct);

    /// <summary>As <see cref="ReadAsync(IDockerClient, string, CancellationToken)"/>, with the pull's progress on <paramref name="logger"/> and <paramref name="pullProgress"/>.</summary>
    public static async Task<string> ReadAsync(IDockerClient docker, string image, ILogger? logger, IProgress<ImagePullProgress>? pullProgress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        await ImagePuller.EnsurePresentAsync(docker, image, logger, pullProgress, ct: ct).ConfigureAwait(false);
        try
        {
            var inspect = await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return BundleArchitecture.TryNormalize(inspect.Architecture)
                ?? throw new InvalidOperationException($"Image {image} is built for '{inspect.Architecture}'; the cluster supports amd64 and arm64.");
        }
        catch (DockerImageNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"Image {image} is not present in the local Docker engine; pull or build it first ('openshell-dev cluster build-image', or eng/offline-images.sh for the offline stand-ins).", ex);
        }
    }
}
