using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.Watching;

namespace OpenShell.Testing.Session;

/// <summary>Fakes of everything a <see cref="DevSession"/> drives: no Docker, no git, no watcher.</summary>
internal sealed class FakeSessionServices
{
    public FakeCluster Cluster { get; } = new();

    public FakeBundles Bundles { get; } = new();

    public FakeDeployer Deployer { get; } = new();

    /// <summary>The catalogue the session reads; the repository's own when null.</summary>
    public ComponentCatalog? Catalog { get; set; }

    /// <summary>Set to make the watcher's start-up fail.</summary>
    public Exception? WatcherStartupError { get; set; }

    /// <summary>The sink the session handed to the watcher, once started.</summary>
    public ITreeChangeSink? WatcherSink { get; private set; }

    public DevSessionServices Create(TimeProvider? time = null) => new()
    {
        Cluster = Cluster,
        Bundles = Bundles,
        Deployer = Deployer,
        Time = time ?? TimeProvider.System,
        LoadCatalog = root => Catalog ?? ComponentCatalog.Load(RepositoryPaths.Root),
        GitProbe = _ => new IdleGit(),
        StartWatcher = (root, excludes, sink, logger) =>
        {
            if (WatcherStartupError is { } error)
            {
                throw error;
            }

            WatcherSink = sink;
            return new Stopped();
        },
    };

    private sealed class IdleGit : IGitOperationProbe
    {
        public bool IsBusy(out string reason)
        {
            reason = string.Empty;
            return false;
        }
    }

    private sealed class Stopped : IDisposable
    {
        public void Dispose()
        {
        }
    }
}

/// <summary>A cluster that comes up at once; records what was asked, in order, into a shared log.</summary>
internal sealed class FakeCluster : IClusterController
{
    private int _containers;

    public List<string> Log { get; } = [];

    /// <summary>The gateway security the cluster reports it runs.</summary>
    public GatewaySecurity Security { get; set; }

    /// <summary>Set to make the next <see cref="UpAsync"/> fail.</summary>
    public Exception? UpError { get; set; }

    public Task<string> ReadArchitectureAsync(CancellationToken ct) => Task.FromResult("amd64");

    /// <summary>The container as <see cref="DecideAsync"/> finds it: none before the first up, then running and healthy.</summary>
    public Docker.DotNet.Models.ContainerInspectResponse? Container { get; set; }

    public Task<BootstrapDecision> DecideAsync(CancellationToken ct) =>
        Task.FromResult(BootstrapDecision.Decide("openshell-cluster-test", Container));

    /// <summary>
    /// A container in <paramref name="status"/>; <paramref name="healthy"/> gives it a healthy health check, and
    /// <paramref name="exitCode"/> is the code it last exited with.
    /// </summary>
    public static Docker.DotNet.Models.ContainerInspectResponse ContainerIn(string status, bool healthy, long exitCode = 0) => new()
    {
        State = new Docker.DotNet.Models.ContainerState
        {
            Status = status,
            Running = status == "running",
            ExitCode = exitCode,
            Health = new Docker.DotNet.Models.Health { Status = healthy ? "healthy" : "unhealthy" },
        },
    };

    public Task<ClusterUpResult> UpAsync(Func<CancellationToken, Task<string>> bundleTarball, ILogger logger, CancellationToken ct)
    {
        lock (Log)
        {
            Log.Add("up");
        }

        if (UpError is { } error)
        {
            UpError = null;
            throw error;
        }

        // As the real node: a missing or unhealthy one is a new container, an exited one is the same one started again.
        var decision = BootstrapDecision.Decide("openshell-cluster-test", Container);
        var id = decision.Action is BootstrapAction.Start or BootstrapAction.Reuse
            ? Volatile.Read(ref _containers).ToString("D12", System.Globalization.CultureInfo.InvariantCulture)
            : Interlocked.Increment(ref _containers).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
        Container = ContainerIn("running", healthy: true);
        return Task.FromResult(new ClusterUpResult(decision, id, "/tmp/kubeconfig", 6443, 30051) { Security = Security });
    }

    public Task RemoveAsync(ILogger logger, CancellationToken ct)
    {
        lock (Log)
        {
            Log.Add("remove");
        }

        Container = null;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every image runs an 'a' digest, every binary has sha256 'b…' and answers 0.1.0 (or what a deploy verified), every
    /// chart has checksum 'c…'.
    /// </summary>
    public Task<DeployedState> ReadDeployedAsync(
        ClusterUpResult cluster, IReadOnlyList<ComponentDefinition> components, IReadOnlyDictionary<string, ObservedComponent> verified, CancellationToken ct) =>
        Task.FromResult(new DeployedState(components.ToDictionary(c => c.Name, c => c.Kind switch
        {
            ComponentKind.Image => new ObservedComponent(Image: $"127.0.0.1:5000/openshell/{c.ImageSettings.Repository}@sha256:" + new string('a', 64)),
            ComponentKind.Binary => new ObservedComponent(Sha256: verified.GetValueOrDefault(c.Name)?.Sha256 ?? new string('b', 64), Version: verified.GetValueOrDefault(c.Name)?.Version ?? "0.1.0"),
            _ => new ObservedComponent(ChartChecksum: new string('c', 64)),
        })));
}

/// <summary>A bundle that verifies at once, or is missing when <see cref="Missing"/> is set.</summary>
internal sealed class FakeBundles : IRuntimeBundleResolver
{
    public bool Missing { get; set; }

    public Task<ResolvedBundle> ResolveAsync(string architecture, ILogger logger, CancellationToken ct)
    {
        if (Missing)
        {
            // The real resolver's error for an unset source.
            RuntimeBundleSource.Resolve(architecture, _ => null);
        }

        var manifest = new BundleManifest
        {
            SchemaVersion = 1,
            Name = "openshell-gpu-runtime-bundle",
            Version = "0.1.0",
            Architecture = architecture,
            CreatedAt = "2026-01-01T00:00:00Z",
            Toolkit = new BundleComponent("1.17.8", new string('a', 40)),
            Library = new BundleComponent("1.17.8", new string('b', 40)),
            Files = [],
        };
        return Task.FromResult(new ResolvedBundle("/tmp/bundle.tar.gz", "test", new VerifiedBundle { Manifest = manifest, BundleDirectoryName = "b", TarballSha256 = new string('d', 64) }));
    }
}

/// <summary>A deployer whose behaviour each test scripts; records every request and the shared log.</summary>
internal sealed class FakeDeployer : IDeployer
{
    public List<DeployRequest> Requests { get; } = [];

    public List<string>? Log { get; set; }

    /// <summary>What a deploy does; the default deploys every component of the real catalogue at once.</summary>
    public Func<DeployRequest, IProgress<DeployEvent>?, CancellationToken, Task<DeployResult>> Behaviour { get; set; } = (_, _, _) => Task.FromResult(Deployed());

    public async Task<DeployResult> DeployAsync(DeployRequest request, IProgress<DeployEvent>? progress = null, CancellationToken ct = default)
    {
        lock (Requests)
        {
            Requests.Add(request);
            Log?.Add("deploy");
        }

        var result = await Behaviour(request, progress, ct).ConfigureAwait(false);
        lock (Requests)
        {
            Log?.Add("deployed");
        }

        return result;
    }

    /// <summary>
    /// A successful result that deployed every component of <paramref name="catalog"/> (the real one by default): images
    /// pinned at an 'e' digest, binaries with sha256 '1…', charts with checksum '2…'.
    /// </summary>
    public static DeployResult Deployed(ComponentCatalog? catalog = null)
    {
        catalog ??= ComponentCatalog.Load(RepositoryPaths.Root);
        var components = catalog.Components.Select(c => new ComponentPlan(c, true, [], [], new string('f', 64), null, 1)).ToList();
        var plan = new DeployPlan(PlanMode.Automatic, "/repo", "test", null, "/repo/.cache/state", null, [], components, new Dictionary<string, string>());
        var outcomes = catalog.Components.ToDictionary(c => c.Name, c => c.Kind switch
        {
            ComponentKind.Image => new ComponentOutcome(c.Name, c.Kind) { Image = $"127.0.0.1:5000/openshell/{c.ImageSettings.Repository}@sha256:" + new string('e', 64), Rolled = true },
            ComponentKind.Binary => new ComponentOutcome(c.Name, c.Kind) { Sha256 = new string('1', 64), NodePath = c.BinarySettings.NodePath },
            _ => new ComponentOutcome(c.Name, c.Kind) { ChartChecksum = new string('2', 64), HelmChartChanged = true },
        });
        return new DeployResult(plan, [new DeployStepResult(DeployStep.Total, DeployStepOutcome.Succeeded, TimeSpan.FromSeconds(2), "deploy complete")],
            [.. components.Select(c => c.Component.Name)], outcomes, true);
    }
}
