using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Components;
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

    /// <summary>The clock (the watcher's debounce, deploy times).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Loads the component catalogue of a checkout.</summary>
    public Func<string, ComponentCatalog> LoadCatalog { get; init; } = ComponentCatalog.Load;

    /// <summary>Whether git is busy in a checkout (the watcher holds deploys meanwhile).</summary>
    public Func<string, IGitOperationProbe> GitProbe { get; init; } = root => new GitOperationProbe(Path.Combine(root, ".git"));

    /// <summary>Starts watching a checkout (root, excluded globs, sink, logger); disposing stops it.</summary>
    public Func<string, IReadOnlyList<string>, ITreeChangeSink, ILogger, IDisposable> StartWatcher { get; init; } = StartRepositoryWatcher;

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
