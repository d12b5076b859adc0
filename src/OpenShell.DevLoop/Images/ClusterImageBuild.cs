using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Engine;
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
    /// <summary>
    /// Resolves the target and the tarball, then verifies and stages the bundle under
    /// <c>&lt;work&gt;/runtime-bundle/&lt;arch&gt;/&lt;bundle-dir&gt;</c>; no engine call (OpenShell's
    /// <c>OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY=1</c> stops here).
    /// </summary>
    /// <exception cref="RuntimeBundleException">The platform, the variables or the bundle are refused.</exception>
    public static Task<StagedBundle> StageBundleAsync(ClusterImageBuildRequest request, ILogger logger, CancellationToken ct = default) =>
        StageBundleAsync(request, BundleArchitecture.Current, "the host", logger, ct);

    /// <summary>
    /// The architecture to build for: <c>DOCKER_PLATFORM</c>, else the requested one, else <paramref name="defaultArchitecture"/>
    /// (the engine's for a build, the host's for verify-only); and where it came from, for the log.
    /// </summary>
    internal static (string Architecture, string Source) Target(ClusterImageBuildRequest request, string defaultArchitecture, string defaultSource) =>
        (BuildTarget.Resolve(request.Platform, request.Architecture, defaultArchitecture),
            request.Platform is { Length: > 0 } ? "DOCKER_PLATFORM" : request.Architecture is null ? defaultSource : "the request");

    /// <summary>
    /// The legacy builder builds only for the engine's own architecture; another target needs a multi-architecture publish.
    /// Null when <paramref name="architecture"/> is the engine's, else the error naming both.
    /// </summary>
    internal static ClusterImageBuildException? EngineMismatch(EnginePlatform engine, string architecture, ClusterImageBuildRequest request)
    {
        if (engine.Architecture == architecture)
        {
            return null;
        }

        var asked = request.Platform is { Length: > 0 } platform ? $"DOCKER_PLATFORM={platform}" : request.Architecture is { Length: > 0 } arch ? $"--arch {arch}" : "the runtime bundle";
        return new ClusterImageBuildException(
            $"The cluster image for {architecture} cannot be built on this {engine.Architecture} Docker engine ({engine.Platform}); {asked} asks for {architecture}, and the engine builds only its own architecture. "
            + $"Unset DOCKER_PLATFORM and --arch to build for the engine, build it on an {architecture} engine, or publish per-architecture images (<tag>-amd64, <tag>-arm64) and one manifest list over them "
            + "with 'openshell-dev publish' (no emulation needed). OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY=1 still verifies and stages the bundle here.");
    }

    private static async Task<StagedBundle> StageBundleAsync(ClusterImageBuildRequest request, string defaultArchitecture, string defaultSource, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);

        // Upstream's order: a named tarball that does not exist is reported before the platform is looked at.
        if (request.BundleTarball is { } named && !File.Exists(named))
        {
            throw new RuntimeBundleException(BundleRule.TarballNotFound, named, $"tarball not found: {named}");
        }

        var (architecture, source) = Target(request, defaultArchitecture, defaultSource);
        LogArchitecture(logger, architecture, source);

        var tarball = request.BundleTarball
            ?? await RuntimeBundleSource.ResolveTarballAsync(architecture, environment: request.BundleVariables, ct: ct).ConfigureAwait(false);
        var staged = await RuntimeBundleStager.StageAsync(tarball, architecture, Path.Combine(request.EffectiveWorkDirectory, "runtime-bundle"), ct: ct).ConfigureAwait(false);
        LogStaged(logger, staged.BundleDirectory, staged.TarballSha256);
        return staged;
    }

    /// <summary>Runs the build.</summary>
    /// <exception cref="RuntimeBundleException">The bundle is missing or invalid (nothing was built).</exception>
    /// <exception cref="ClusterImageBuildException">The target is not the engine's architecture, the cluster base is missing and cannot be built or is for another architecture, or the image build failed.</exception>
    public static async Task<ClusterImageBuildResult> RunAsync(IDockerClient docker, ClusterImageBuildRequest request, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);

        // Built for the engine's machine, not this one: the engine may be remote and of another architecture.
        var engine = await EnginePlatform.ReadAsync(docker, ct).ConfigureAwait(false);
        var staged = await StageBundleAsync(request, engine.Architecture, $"the Docker engine, {engine.Platform}", logger, ct).ConfigureAwait(false);
        var architecture = staged.Manifest.Architecture;
        if (EngineMismatch(engine, architecture, request) is { } mismatch)
        {
            throw mismatch;
        }
        var work = request.EffectiveWorkDirectory;

        await ClusterBaseImage.EnsureAsync(docker, Path.Combine(request.RepositoryRoot, "deploy"), request.ClusterBase, request.ClusterBaseFrom, architecture, logger, ct).ConfigureAwait(false);
        var chart = await ChartPackager.PackAsync(Path.Combine(request.RepositoryRoot, "deploy", "helm", "openshell"), Path.Combine(work, "charts"), ct).ConfigureAwait(false);
        LogChart(logger, chart.FileName, chart.Sha256);

        var supervisor = request.SupervisorBinary ?? await ReleaseSupervisorAsync(request, architecture, work, logger, ct).ConfigureAwait(false);

        var inputs = new ClusterImageInputs(Path.Combine(request.RepositoryRoot, "deploy"), staged.BundleDirectory, chart, supervisor);
        await ClusterImageBuilder.BuildAsync(docker, inputs, request.Tag, request.BaseImage, request.ClusterBase, logger, request.PullProgress, ct).ConfigureAwait(false);
        return new ClusterImageBuildResult(request.Tag, architecture, chart.Sha256, staged.BundleDirectory);
    }

    // The NativeAOT link takes a minute or more: an unchanged supervisor (same sources, commit, architecture) is reused.
    private static async Task<string> ReleaseSupervisorAsync(ClusterImageBuildRequest request, string architecture, string work, ILogger logger, CancellationToken ct)
    {
        var key = await Publishing.ReleaseSupervisorCache.KeyAsync(request.RepositoryRoot, architecture, ct).ConfigureAwait(false);
        var cache = new Publishing.ReleaseSupervisorCache(request.EffectiveSupervisorCache);
        var (binary, _) = await cache.GetOrPublishAsync(key,
            () => SupervisorPublisher.PublishAsync(request.RepositoryRoot, architecture, Path.Combine(work, "supervisor", architecture), logger, ct), logger, ct).ConfigureAwait(false);
        return binary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster architecture {Architecture} (from {Source})")]
    private static partial void LogArchitecture(ILogger logger, string architecture, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime bundle verified and staged at {Directory} (tarball sha256 {Sha256})")]
    private static partial void LogStaged(ILogger logger, string directory, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Packaged chart {File} (sha256 {Sha256})")]
    private static partial void LogChart(ILogger logger, string file, string sha256);
}
