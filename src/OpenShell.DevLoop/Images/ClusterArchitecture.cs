using Docker.DotNet;

namespace OpenShell.DevLoop.Images;

/// <summary>Architecture names as the cluster image reports them (<c>amd64</c>, <c>arm64</c>) and what builds need from them.</summary>
public static class ClusterArchitecture
{
    /// <summary>The canonical name: <c>x86_64</c> → <c>amd64</c>, <c>aarch64</c> → <c>arm64</c>.</summary>
    /// <exception cref="ArgumentException">The architecture is not one the cluster runs on.</exception>
    public static string Normalize(string architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return architecture.Trim().ToLowerInvariant() switch
        {
            "amd64" or "x86_64" or "x64" => "amd64",
            "arm64" or "aarch64" => "arm64",
            _ => throw new ArgumentException($"Architecture '{architecture}' is not supported; use amd64 or arm64.", nameof(architecture)),
        };
    }

    /// <summary>The .NET runtime identifier to publish for: <c>linux-x64</c> or <c>linux-arm64</c>.</summary>
    public static string RuntimeIdentifier(string architecture) => Normalize(architecture) switch
    {
        "amd64" => "linux-x64",
        _ => "linux-arm64",
    };

    /// <summary>The architecture of a local image (Docker inspect <c>Architecture</c>), normalised.</summary>
    /// <exception cref="InvalidOperationException">The image is not present locally.</exception>
    public static async Task<string> ReadAsync(IDockerClient docker, string image, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        try
        {
            var inspect = await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
            return Normalize(inspect.Architecture);
        }
        catch (DockerImageNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"Image {image} is not present in the local Docker engine; build it first ('openshell-dev cluster build-image', or eng/offline-images.sh for the offline stand-ins).", ex);
        }
    }
}
