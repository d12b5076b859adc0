using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// The glibc OS base of the cluster image (<c>OpenShell:Images:ClusterBase</c>). Online it is built natively from
/// <c>OpenShell:Images:ClusterBaseFrom</c> (Ubuntu 24.04) with apt, once per machine and architecture, by
/// <c>openshell-dev cluster build-base</c> or the first cluster image build that finds it missing.
/// </summary>
public static partial class ClusterBaseImage
{
    /// <summary>The Dockerfile, relative to the deploy folder.</summary>
    public const string DockerfilePath = "docker/Dockerfile.cluster-base";

    /// <summary>Builds <paramref name="tag"/> from <paramref name="fromImage"/>, whether or not it exists.</summary>
    /// <exception cref="ClusterImageBuildException">There is nothing to build from, or the build failed.</exception>
    public static async Task BuildAsync(IDockerClient docker, string deployDirectory, string tag, string? fromImage, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(fromImage))
        {
            throw new ClusterImageBuildException(
                $"The cluster base image {tag} cannot be built here: OpenShell:Images:ClusterBaseFrom is empty. " +
                "On an offline machine run 'sudo bash eng/offline-images.sh' (it builds the base by debootstrap); elsewhere set " +
                "OpenShell:Images:ClusterBaseFrom to an Ubuntu or Debian image and run 'openshell-dev cluster build-base'.");
        }

        var dockerfile = Path.Combine(deployDirectory, DockerfilePath);
        if (!File.Exists(dockerfile))
        {
            throw new ClusterImageBuildException($"{dockerfile} is missing; run the build from an OpenShell checkout.");
        }

        using var context = new MemoryStream();
        await using (var writer = new BuildContextWriter(context))
        {
            await writer.AddFileAsync("Dockerfile", dockerfile, BuildContextWriter.Regular, ct).ConfigureAwait(false);
        }

        context.Position = 0;
        LogBuilding(logger, tag, fromImage);
        await EngineImageBuild.RunAsync(
            docker,
            new ImageBuildParameters { Tags = [tag], BuildArgs = new Dictionary<string, string> { ["FROM_IMAGE"] = fromImage } },
            context,
            logger,
            error => new ClusterImageBuildException(
                $"Building the cluster base image {tag} from {fromImage} failed: {error}. It needs {fromImage} (pulled when missing) and apt access to its package mirror."),
            ct).ConfigureAwait(false);
        LogBuilt(logger, tag);
    }

    /// <summary>
    /// Makes sure <paramref name="tag"/> exists (building it when missing) and is built for <paramref name="architecture"/>.
    /// </summary>
    /// <exception cref="ClusterImageBuildException">It is missing and cannot be built, or is for another architecture.</exception>
    public static async Task EnsureAsync(IDockerClient docker, string deployDirectory, string tag, string? fromImage, string architecture, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        string? actual;
        try
        {
            actual = (await docker.Images.InspectImageAsync(tag, ct).ConfigureAwait(false)).Architecture;
        }
        catch (DockerImageNotFoundException)
        {
            LogMissing(logger, tag);
            await BuildAsync(docker, deployDirectory, tag, fromImage, logger, ct).ConfigureAwait(false);
            actual = (await docker.Images.InspectImageAsync(tag, ct).ConfigureAwait(false)).Architecture;
        }

        if (RuntimeBundle.BundleArchitecture.TryNormalize(actual) != architecture)
        {
            throw new ClusterImageBuildException(
                $"The cluster base image {tag} is built for '{actual}' but the cluster is {architecture}: build the base on an {architecture} machine " +
                $"('openshell-dev cluster build-base') and load it here, or set OpenShell:Images:ClusterBase to an {architecture} glibc image.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster base image {Tag} is missing: building it")]
    private static partial void LogMissing(ILogger logger, string tag);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building cluster base image {Tag} from {From}")]
    private static partial void LogBuilding(ILogger logger, string tag, string from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built cluster base image {Tag}")]
    private static partial void LogBuilt(ILogger logger, string tag);
}
