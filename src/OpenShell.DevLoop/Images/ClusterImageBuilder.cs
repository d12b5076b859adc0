using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// Builds the cluster image through the Docker engine API with the legacy builder: the context is assembled as a tar
/// stream (see deploy/docker/Dockerfile.cluster for its layout) and the build output is streamed to the log.
/// </summary>
public static partial class ClusterImageBuilder
{
    /// <summary>The Dockerfile, relative to the deploy folder.</summary>
    public const string DockerfilePath = "docker/Dockerfile.cluster";

    /// <summary>Where the chart lands in the image.</summary>
    public const string ChartImagePath = "/opt/openshell/charts/openshell-0.1.0.tgz";

    /// <summary>Where the supervisor lands in the image.</summary>
    public const string SupervisorImagePath = "/opt/openshell/bin/openshell-sandbox";

    /// <summary>Writes the build context for <paramref name="inputs"/> to <paramref name="output"/>.</summary>
    public static async Task WriteContextAsync(ClusterImageInputs inputs, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var deploy = inputs.DeployDirectory;
        var dockerfile = Path.Combine(deploy, DockerfilePath);
        if (!File.Exists(dockerfile))
        {
            throw new ClusterImageBuildException($"{dockerfile} is missing; run the build from an OpenShell checkout.");
        }

        if (!File.Exists(inputs.SupervisorBinary))
        {
            throw new ClusterImageBuildException($"The supervisor binary {inputs.SupervisorBinary} does not exist; publish src/OpenShell.Sandbox first.");
        }

        await using var context = new BuildContextWriter(output);
        await context.AddFileAsync("Dockerfile", dockerfile, BuildContextWriter.Regular, ct).ConfigureAwait(false);
        await context.AddFileAsync("cluster-entrypoint.sh", Path.Combine(deploy, "docker", "cluster-entrypoint.sh"), BuildContextWriter.Executable, ct).ConfigureAwait(false);
        await context.AddFileAsync("cluster-healthcheck.sh", Path.Combine(deploy, "docker", "cluster-healthcheck.sh"), BuildContextWriter.Executable, ct).ConfigureAwait(false);
        await context.AddFileAsync("bin/openshell-sandbox", inputs.SupervisorBinary, BuildContextWriter.Executable, ct).ConfigureAwait(false);
        await context.AddFileAsync($"charts/{inputs.Chart.FileName}", inputs.Chart.Path, BuildContextWriter.Regular, ct).ConfigureAwait(false);
        await context.AddBytesAsync($"charts/{inputs.Chart.FileName}.sha256", Encoding.ASCII.GetBytes($"{inputs.Chart.Sha256}  {inputs.Chart.FileName}\n"), BuildContextWriter.Regular, ct).ConfigureAwait(false);
        await AddYamlFolderAsync(context, "manifests", inputs.ManifestsDirectory ?? Path.Combine(deploy, "kube", "manifests"), ct).ConfigureAwait(false);
        await AddYamlFolderAsync(context, "gpu-manifests", Path.Combine(deploy, "kube", "gpu-manifests"), ct).ConfigureAwait(false);
        // The bundle's manifest.json describes the payload; only the install-root payload goes into the image.
        await context.AddTreeAsync("runtime-bundle", inputs.RuntimeBundleDirectory, new HashSet<string>(StringComparer.Ordinal) { "manifest.json" }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds and tags <paramref name="tag"/> from <paramref name="inputs"/>: <paramref name="baseImage"/>'s k3s on the glibc
    /// <paramref name="clusterBase"/>. Every image the Dockerfile builds FROM is pulled first when missing (progress on
    /// <paramref name="logger"/> and <paramref name="pullProgress"/>).
    /// </summary>
    /// <exception cref="ImagePullException">A base image is missing and could not be pulled.</exception>
    /// <exception cref="ClusterImageBuildException">The engine reported a build error.</exception>
    public static async Task BuildAsync(
        IDockerClient docker, ClusterImageInputs inputs, string tag, string baseImage, string clusterBase, ILogger logger,
        IProgress<ImagePullProgress>? pullProgress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(logger);
        var buildArgs = new Dictionary<string, string> { ["K3S_IMAGE"] = baseImage, ["BASE_IMAGE"] = clusterBase };
        var dockerfile = Path.Combine(inputs.DeployDirectory, DockerfilePath);
        if (File.Exists(dockerfile))
        {
            var bases = DockerfileBaseImages.Read(await File.ReadAllTextAsync(dockerfile, ct).ConfigureAwait(false), buildArgs);
            await ImagePuller.EnsureAllPresentAsync(docker, bases, logger, pullProgress, ct: ct).ConfigureAwait(false);
        }

        await EngineImageBuild.WithContextFileAsync("cluster", file => WriteContextAsync(inputs, file, ct), async context =>
        {
            LogBuilding(logger, tag, baseImage, clusterBase, context.Length / 1024);
            await EngineImageBuild.RunAsync(
                docker,
                new ImageBuildParameters
                {
                    Tags = [tag],
                    BuildArgs = buildArgs,
                    Platform = inputs.Platform,
                    Labels = new Dictionary<string, string> { ["dev.openshell.chart-sha256"] = inputs.Chart.Sha256 },
                },
                context,
                logger,
                error => new ClusterImageBuildException($"Building {tag} failed: {error}"),
                ct).ConfigureAwait(false);
            LogBuilt(logger, tag);
        }).ConfigureAwait(false);
    }

    private static async Task AddYamlFolderAsync(BuildContextWriter context, string prefix, string directory, CancellationToken ct)
    {
        await context.AddDirectoryAsync(prefix, ct).ConfigureAwait(false);
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            await context.AddFileAsync($"{prefix}/{Path.GetFileName(file)}", file, BuildContextWriter.Regular, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Relays build output line by line and remembers the first error (the engine reports errors in-band).</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Building cluster image {Tag}: k3s from {BaseImage} on {ClusterBase} (context {SizeKiB} KiB)")]
    private static partial void LogBuilding(ILogger logger, string tag, string baseImage, string clusterBase, long sizeKiB);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built cluster image {Tag}")]
    private static partial void LogBuilt(ILogger logger, string tag);
}
