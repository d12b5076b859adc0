using OpenShell.DevLoop.Builders;

namespace OpenShell.DevLoop.FileSystem;

/// <summary>The layout of a checkout's <c>.cache/</c> folder (git-ignored), in one place.</summary>
/// <param name="RepositoryRoot">The repository root.</param>
public sealed record CachePaths(string RepositoryRoot)
{
    /// <summary>The deploy lock, relative to the root.</summary>
    public const string DeployLockRelativePath = ".cache/deploy.lock";

    /// <summary>The lock file that lets one <c>dotnet publish</c> or <c>restore</c> of the checkout run at a time, relative to the repository root.</summary>
    public const string DotnetPublishLockRelativePath = ".cache/dotnet-publish.lock";

    /// <summary>The default state file, relative to the root (upstream's location).</summary>
    public const string DefaultStateFileRelativePath = ".cache/cluster-deploy-fast.state";

    /// <summary>The cache folder.</summary>
    public string Directory => Path.Combine(RepositoryRoot, ".cache");

    /// <summary>The kubeconfig of cluster <paramref name="clusterName"/>, pointing at its API on 127.0.0.1.</summary>
    public string Kubeconfig(string clusterName) => Path.Combine(Directory, $"kubeconfig-{clusterName}.yaml");

    /// <summary>The client certificate, key and CA of cluster <paramref name="clusterName"/>, for local tools.</summary>
    public string Pki(string clusterName) => Path.Combine(Directory, "pki", clusterName);

    /// <summary>The fast-deploy state file: <paramref name="overridePath"/> (relative to the root, or absolute) or the default.</summary>
    public string StateFile(string? overridePath) =>
        Path.GetFullPath(Path.Combine(RepositoryRoot, string.IsNullOrWhiteSpace(overridePath) ? DefaultStateFileRelativePath : overridePath));

    /// <summary>The lock file that keeps deploys of one checkout apart.</summary>
    public string DeployLock => Path.Combine(RepositoryRoot, DeployLockRelativePath);

    /// <summary>The gateway's publish output for <paramref name="architecture"/> (kept, so publishes are incremental).</summary>
    public string GatewayPublish(string architecture) => ImagePublish("gateway", architecture);

    /// <summary>The supervisor's publish output for <paramref name="architecture"/> and <paramref name="build"/>.</summary>
    public string SupervisorPublish(string architecture, SupervisorBuild build) => BinaryPublish("supervisor", architecture, build);

    /// <summary>Where a multi-architecture publish stages its bundles, chart and manifests.</summary>
    public string Publish => Path.Combine(Directory, "publish");

    /// <summary>Where release supervisors are kept by their inputs (<see cref="Publishing.ReleaseSupervisorCache"/>).</summary>
    public string ReleaseSupervisors => Path.Combine(Publish, "supervisor");

    /// <summary>Where the chart is packaged for a deploy.</summary>
    public string ChartPackage => ChartPackageOf("chart");

    /// <summary>The publish output of image component <paramref name="component"/> for <paramref name="architecture"/>.</summary>
    public string ImagePublish(string component, string architecture) => Path.Combine(Directory, "deploy", component, architecture);

    /// <summary>The publish output of binary component <paramref name="component"/> for <paramref name="architecture"/> and <paramref name="build"/>.</summary>
    public string BinaryPublish(string component, string architecture, SupervisorBuild build) =>
        Path.Combine(Directory, "deploy", build == SupervisorBuild.Dev ? $"{component}-dev-tree" : component, architecture);

    /// <summary>Which compressed blob holds which image layer, for pushing base images by digest without exporting them again.</summary>
    public string ImageLayerRecords => Path.Combine(Directory, "deploy", "image-layers");

    /// <summary>Where helm component <paramref name="component"/>'s chart is packaged for a deploy.</summary>
    public string ChartPackageOf(string component) => Path.Combine(Directory, "deploy", component);

    /// <summary>Where a runtime bundle tarball brought from the Docker engine's machine is kept (<c>--remote-runtime-bundle-tarball</c>).</summary>
    public string RemoteBundles => Path.Combine(Directory, "runtime-bundles", "remote");

    /// <summary>Where a synthetic runtime bundle is packed.</summary>
    public string SyntheticBundle => Path.Combine(Directory, "offline");
}
