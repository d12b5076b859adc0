using Docker.DotNet;
using k8s;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Session;

/// <summary>The cluster node through the Docker engine (<see cref="ClusterLifecycle"/>) and its Kubernetes API.</summary>
internal sealed class DockerClusterController(
    IDockerClient docker, OpenShellSettings settings, ClusterPaths paths, IProgress<Docker.ImagePullProgress>? pullProgress = null) : IClusterController
{
    // The binary runs only when it changed: its sha256 names its version.
    private (string Sha256, string? Version)? _supervisorVersion;

    public Task<string> ReadArchitectureAsync(CancellationToken ct) => ClusterArchitecture.ReadAsync(docker, settings.Images.K3s, null, pullProgress, ct);

    public Task<BootstrapDecision> DecideAsync(CancellationToken ct) =>
        new ClusterLifecycle(docker, settings, paths, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).DecideAsync(ct);

    public Task<ClusterUpResult> UpAsync(Func<CancellationToken, Task<string>> bundleTarball, ILogger logger, CancellationToken ct) =>
        new ClusterLifecycle(docker, settings, paths, logger).UpAsync(
            async buildCt =>
            {
                var request = ClusterImageBuildRequest.From(settings, paths.RepositoryRoot) with
                {
                    BundleTarball = await bundleTarball(buildCt).ConfigureAwait(false),
                    PullProgress = pullProgress,
                };
                await ClusterImageBuild.RunAsync(docker, request, logger, buildCt).ConfigureAwait(false);
            },
            settings.Deploy.StateFile,
            ct);

    public Task RemoveAsync(ILogger logger, CancellationToken ct) =>
        new ClusterLifecycle(docker, settings, paths, logger).RemoveAsync(removeVolume: true, ct);

    public async Task<DeployedState> ReadDeployedAsync(ClusterUpResult cluster, CancellationToken ct)
    {
        var sha = await SupervisorDeployer.ReadNodeSha256Async(docker, cluster.ContainerId, ct).ConfigureAwait(false);
        var version = sha is null ? null
            : _supervisorVersion is { } known && known.Sha256 == sha ? known.Version
            : await SupervisorDeployer.ReadNodeVersionAsync(docker, cluster.ContainerId, ct).ConfigureAwait(false);
        _supervisorVersion = sha is null ? null : (sha, version);
        using var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(paths.Kubeconfig));
        var chart = await HelmChartDeployer.ReadAsync(kube, ct).ConfigureAwait(false);
        var values = chart["spec"]?["valuesContent"]?.GetValue<string>();
        return new DeployedState(HelmChartDeployer.ImageOf(values), sha, version, HelmValuesEditor.Read(values, "chartChecksum"));
    }
}
