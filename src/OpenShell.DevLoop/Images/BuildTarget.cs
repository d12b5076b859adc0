using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// The architecture a cluster image is built for: <c>DOCKER_PLATFORM</c> first (<c>linux/amd64</c> or
/// <c>linux/arm64</c>, as OpenShell's build script takes it), then an explicit architecture, then the default: the Docker
/// engine's for a build (it may be another machine's), the host's when only the bundle is checked.
/// </summary>
public static class BuildTarget
{
    /// <summary>Resolves the target, refusing what OpenShell refuses and a platform that contradicts the architecture.</summary>
    /// <param name="platform">The <c>DOCKER_PLATFORM</c> value, if set.</param>
    /// <param name="architecture">The architecture asked for (<c>--arch</c>), if any; aliases accepted.</param>
    /// <param name="defaultArchitecture">The architecture when neither is given; the host's (<see cref="BundleArchitecture.Current"/>) when null.</param>
    /// <returns><c>amd64</c> or <c>arm64</c>.</returns>
    /// <exception cref="RuntimeBundleException">The platform is unsupported, a list, or disagrees with the architecture.</exception>
    public static string Resolve(string? platform, string? architecture, string? defaultArchitecture = null)
    {
        var asked = string.IsNullOrWhiteSpace(architecture) ? null : BundleArchitecture.Normalize(architecture);
        if (string.IsNullOrEmpty(platform))
        {
            return asked ?? defaultArchitecture ?? BundleArchitecture.Current;
        }

        if (platform.Contains(',', StringComparison.Ordinal))
        {
            throw new RuntimeBundleException(BundleRule.UnsupportedPlatform, platform, $"multi-platform builds are not supported yet: {platform}");
        }

        var fromPlatform = platform switch
        {
            "linux/amd64" => BundleArchitecture.Amd64,
            "linux/arm64" => BundleArchitecture.Arm64,
            _ => throw new RuntimeBundleException(BundleRule.UnsupportedPlatform, platform, $"unsupported docker platform: {platform}"),
        };
        if (asked is not null && asked != fromPlatform)
        {
            throw new RuntimeBundleException(
                BundleRule.ArchitectureConflict,
                null,
                $"DOCKER_PLATFORM={platform} targets {fromPlatform} but --arch asks for {asked}: unset DOCKER_PLATFORM or make the two agree");
        }

        return fromPlatform;
    }
}
