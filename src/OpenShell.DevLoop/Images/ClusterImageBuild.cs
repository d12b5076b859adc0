using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Images;

/// <summary>
/// The whole cluster image build, in upstream's order: the runtime bundle is verified and staged FIRST (a missing,
/// wrong-architecture or corrupt bundle fails before any chart packaging or image build), then the glibc cluster base is
/// built when missing (and must match the architecture), the chart packaged, the supervisor published for the image's
/// architecture, and the image built.
/// </summary>
public static partial class ClusterImageBuild
{
    /// <summary>Runs the build.</summary>
    /// <exception cref="RuntimeBundleException">The bundle is missing or invalid (nothing was built).</exception>
    /// <exception cref="ClusterImageBuildException">The cluster base is missing and cannot be built, is for another architecture, or the image build failed.</exception>
    public static async Task<ClusterImageBuildResult> RunAsync(IDockerClient docker, ClusterImageBuildRequest request, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);

        var architecture = request.Architecture is { } requested
            ? BundleArchitecture.Normalize(requested)
            : await ClusterArchitecture.ReadAsync(docker, request.BaseImage, ct).ConfigureAwait(false);
        LogArchitecture(logger, architecture, request.Architecture is null ? $"the base image {request.BaseImage}" : "the request");

        var tarball = request.BundleTarball ?? await RuntimeBundleSource.ResolveTarballAsync(architecture, ct: ct).ConfigureAwait(false);
        var work = request.EffectiveWorkDirectory;
        var staged = await RuntimeBundleStager.StageAsync(tarball, architecture, Path.Combine(work, "runtime-bundle"), ct: ct).ConfigureAwait(false);
        LogStaged(logger, staged.BundleDirectory, staged.TarballSha256);

        await ClusterBaseImage.EnsureAsync(docker, Path.Combine(request.RepositoryRoot, "deploy"), request.ClusterBase, request.ClusterBaseFrom, architecture, logger, ct).ConfigureAwait(false);
        var chart = await ChartPackager.PackAsync(Path.Combine(request.RepositoryRoot, "deploy", "helm", "openshell"), Path.Combine(work, "charts"), ct).ConfigureAwait(false);
        LogChart(logger, chart.FileName, chart.Sha256);

        var supervisor = request.SupervisorBinary
            ?? await SupervisorPublisher.PublishAsync(request.RepositoryRoot, architecture, Path.Combine(work, "supervisor", architecture), logger, ct).ConfigureAwait(false);

        var inputs = new ClusterImageInputs(Path.Combine(request.RepositoryRoot, "deploy"), staged.BundleDirectory, chart, supervisor);
        await ClusterImageBuilder.BuildAsync(docker, inputs, request.Tag, request.BaseImage, request.ClusterBase, logger, ct).ConfigureAwait(false);
        return new ClusterImageBuildResult(request.Tag, architecture, chart.Sha256, staged.BundleDirectory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster architecture {Architecture} (from {Source})")]
    private static partial void LogArchitecture(ILogger logger, string architecture, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime bundle verified and staged at {Directory} (tarball sha256 {Sha256})")]
    private static partial void LogStaged(ILogger logger, string directory, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Packaged chart {File} (sha256 {Sha256})")]
    private static partial void LogChart(ILogger logger, string file, string sha256);
}
