using Docker.DotNet;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// The platform of the Docker engine in use, from its <c>/info</c> (<c>OSType</c>, <c>Architecture</c>): what everything
/// built for the cluster must run on, whichever machine builds it (an amd64 laptop driving an arm64 GPU box builds arm64).
/// </summary>
/// <param name="Architecture">The canonical architecture, <c>amd64</c> or <c>arm64</c>.</param>
/// <param name="Reported">The architecture as the engine reported it (<c>x86_64</c>, <c>aarch64</c>).</param>
public sealed record EnginePlatform(string Architecture, string Reported)
{
    /// <summary>The Docker platform, <c>linux/amd64</c> or <c>linux/arm64</c>.</summary>
    public string Platform => "linux/" + Architecture;

    /// <summary>The .NET runtime identifier of the supervisor and gateway builds, <c>linux-x64</c> or <c>linux-arm64</c>.</summary>
    public string RuntimeIdentifier => ClusterArchitecture.RuntimeIdentifier(Architecture);

    /// <summary>Maps the engine's <c>OSType</c> and <c>Architecture</c>.</summary>
    /// <exception cref="EngineConnectionException">The engine runs Windows containers, or an architecture the cluster does not support.</exception>
    public static EnginePlatform From(string? osType, string? architecture)
    {
        if (!string.Equals(osType, "linux", StringComparison.OrdinalIgnoreCase))
        {
            throw new EngineConnectionException(
                $"the Docker engine runs {(string.IsNullOrWhiteSpace(osType) ? "an unknown OS" : osType)} containers; OpenShell's cluster needs Linux containers",
                "switch the engine to Linux containers (Docker Desktop: Switch to Linux containers), or use a Linux machine's engine");
        }

        var canonical = BundleArchitecture.TryNormalize(architecture)
            ?? throw new EngineConnectionException(
                $"the Docker engine runs on '{architecture}', and OpenShell builds its cluster for amd64 and arm64 only",
                "use an engine on an amd64 or arm64 machine");
        return new EnginePlatform(canonical, architecture!);
    }

    /// <summary>Reads the platform from the engine's <c>/info</c>.</summary>
    /// <exception cref="EngineConnectionException">The engine's OS or architecture is not one the cluster runs on.</exception>
    public static async Task<EnginePlatform> ReadAsync(IDockerClient docker, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        var info = await docker.System.GetSystemInfoAsync(ct).ConfigureAwait(false);
        return From(info.OSType, info.Architecture);
    }
}
