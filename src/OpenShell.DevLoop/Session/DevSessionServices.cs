using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Session;

/// <summary>What a <see cref="DevSession"/> works with; the front ends pass the real ones, tests pass fakes.</summary>
internal sealed record DevSessionServices
{
    /// <summary>The cluster node.</summary>
    public required IClusterController Cluster { get; init; }

    /// <summary>The runtime bundle.</summary>
    public required IRuntimeBundleResolver Bundles { get; init; }

    /// <summary>The fast deploy.</summary>
    public required IDeployer Deployer { get; init; }

    /// <summary>
    /// Keeps checking the engine and its forwards while <see cref="DevSession.RunAsync"/> runs, and holds deploys while it
    /// does not answer; null for a one-shot front end, whose forwards reopen on their next use.
    /// </summary>
    public Engine.EngineWatch? Engine { get; init; }

    /// <summary>Where pulls of missing base images report their progress; null reports nowhere.</summary>
    public IProgress<Docker.ImagePullProgress>? PullProgress { get; init; }

    /// <summary>The clock (the watcher's debounce, deploy times).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Loads the component catalogue of a checkout.</summary>
    public Func<string, ComponentCatalog> LoadCatalog { get; init; } = ComponentCatalog.Load;

    /// <summary>Whether git is busy in a checkout (the watcher holds deploys meanwhile).</summary>
    public Func<string, IGitOperationProbe> GitProbe { get; init; } = root => new GitOperationProbe(Path.Combine(root, ".git"));

    /// <summary>Starts watching a checkout (root, excluded globs, sink, logger); disposing stops it.</summary>
    public Func<string, IReadOnlyList<string>, ITreeChangeSink, ILogger, IDisposable> StartWatcher { get; init; } = StartRepositoryWatcher;

    /// <summary>
    /// The real collaborators: the Docker engine, the runtime bundle from the settings, the fast deploy logging to
    /// <paramref name="deployLogger"/>; the ports the node and the registry publish on the engine's loopback are dialled
    /// through <paramref name="ports"/> (<see cref="Engine.EngineConnection.CreatePorts"/>; null for an engine on this machine).
    /// <paramref name="warmCompile"/> keeps the supervisor's and the gateway's compilations alive between deploys, for a front end that lives
    /// across edits (the AppHost); a one-shot one leaves it off and publishes with MSBuild.
    /// </summary>
    public static DevSessionServices ForDocker(
        IDockerClient docker, OpenShellSettings settings, ILogger deployLogger, IProgress<Docker.ImagePullProgress>? pullProgress = null, Engine.IEnginePorts? ports = null,
        bool warmCompile = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = settings.DevHost.RepositoryRoot
            ?? throw new ArgumentException("OpenShell:DevHost:RepositoryRoot is not resolved; load the settings with SettingsLoader.", nameof(settings));
        var paths = new ClusterPaths(root, ClusterName.Resolve(settings.Cluster.Name, root));
        return new DevSessionServices
        {
            Cluster = new DockerClusterController(docker, settings, paths, pullProgress, ports),
            Bundles = new RuntimeBundleResolver(settings, paths.Cache, docker),
            Deployer = new FastDeployer(docker, settings, deployLogger, ports: ports, warmCompile: warmCompile),
            PullProgress = pullProgress,
        };
    }

    private static IDisposable StartRepositoryWatcher(string root, IReadOnlyList<string> excludes, ITreeChangeSink sink, ILogger logger)
    {
        var watcher = new RepositoryWatcher(
            new RepositoryWatcherOptions { RepositoryRoot = root, IsExcluded = ExcludeGlobs.ToPredicate(excludes) }, sink, logger: logger);
        try
        {
            watcher.Start();
            return watcher;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }
    }
}
