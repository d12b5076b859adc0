using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The fast deploy shared by <c>openshell-dev deploy</c> and the AppHost: plan → gateway (publish, image, push, digest) and
/// supervisor (publish, atomic swap in the node, sha256 check) → chart (HelmChart update pinned by digest) → rollout wait →
/// state file. One deploy at a time per checkout (a lock file under <c>.cache/</c>). Keep one instance per process.
/// </summary>
public sealed partial class FastDeployer
{
    private readonly IDockerClient _docker;
    private readonly OpenShellSettings _settings;
    private readonly DeployPlanner _planner;
    private readonly ILogger _logger;

    /// <summary>Creates a deployer that talks to the engine through <paramref name="docker"/>.</summary>
    public FastDeployer(IDockerClient docker, OpenShellSettings settings, ILogger logger, DeployPlanner? planner = null)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        _docker = docker;
        _settings = settings;
        _logger = logger;
        _planner = planner ?? new DeployPlanner(new DockerClusterContainerLocator());
    }

    /// <summary>
    /// Deploys what the plan says. Requires a running, healthy cluster container (bootstrap it with
    /// <see cref="ClusterLifecycle.UpAsync"/> first). Reports every step through <paramref name="progress"/> and the logger.
    /// </summary>
    /// <exception cref="InvalidTargetException">A target word names no component.</exception>
    /// <exception cref="DeployException">A step failed; its message has the cause and the fix.</exception>
    public Task<DeployResult> DeployAsync(DeployRequest request, IProgress<DeployEvent>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        throw new NotImplementedException("The fast deploy pipeline is being implemented.");
    }
}
