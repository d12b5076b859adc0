using Docker.DotNet;

namespace OpenShell.Testing;

/// <summary>The offline stand-in images the Docker-backed tests build on, made by eng/offline-images.sh when missing.</summary>
public static class OfflineImages
{
    /// <summary>The k3s stand-in (the Kubernetes API simulator), the cluster image's k3s stage.</summary>
    public const string K3s = "openshell-offline/k3s-sim:latest";

    /// <summary>The label of <see cref="K3s"/> that names its sources (<see cref="SimulatorSources"/>).</summary>
    public const string FingerprintLabel = "dev.openshell.k3s-sim.fingerprint";

    /// <summary>The glibc base of the cluster image.</summary>
    public const string ClusterBase = "openshell-offline/cluster-base:bookworm";

    /// <summary>OpenShell's default community sandbox image, tagged by eng/offline-images.d/40-sandbox-base.sh.</summary>
    public const string SandboxBase = "ghcr.io/nvidia/openshell-community/sandboxes/base:latest";

    /// <summary>The Debian base (runtime-deps stand-in) of the gateway image.</summary>
    public const string Debian = "openshell-offline/debian:bookworm";

    /// <summary>The arm64 stand-ins (never run here), tagged per architecture: <c>&lt;tag&gt;-arm64</c>.</summary>
    public static IReadOnlyList<string> Arm64 { get; } = [$"{K3s}-arm64", $"{ClusterBase}-arm64", $"{Debian}-arm64"];

    /// <summary>
    /// Runs eng/offline-images.sh when the stand-in or the base is missing, or the stand-in is of the layout that kept
    /// the simulator outside /bin (the cluster image copies only k3s's /bin), or of older simulator sources.
    /// </summary>
    public static async Task EnsureAsync(IDockerClient docker)
    {
        ArgumentNullException.ThrowIfNull(docker);
        if (!await IsCurrentAsync(docker))
        {
            (await TestProcess.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "eng", "offline-images.sh")], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(15)))
                .EnsureSuccess("eng/offline-images.sh");
        }
    }

    // The sources do not change while the tests run: hashed once per process, not once per fixture.
    private static readonly Lazy<string> s_sourcesFingerprint = new(() => SimulatorSources.Fingerprint(RepositoryPaths.Root));

    private static async Task<bool> IsCurrentAsync(IDockerClient docker)
    {
        try
        {
            var simulator = await docker.Images.InspectImageAsync(K3s);
            await docker.Images.InspectImageAsync(ClusterBase);
            await docker.Images.InspectImageAsync(SandboxBase);
            foreach (var image in Arm64)
            {
                await docker.Images.InspectImageAsync(image);
            }

            return simulator.Config.Labels is { } labels
                && labels.TryGetValue("dev.openshell.k3s-sim.layout", out var layout) && layout == "bin"
                && labels.TryGetValue(FingerprintLabel, out var fingerprint) && fingerprint == s_sourcesFingerprint.Value;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }
}
