using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Session;

/// <summary>The cluster node through the Docker engine (<see cref="ClusterLifecycle"/>, its ports reached through <paramref name="ports"/>) and its Kubernetes API.</summary>
internal sealed class DockerClusterController(
    IDockerClient docker, OpenShellSettings settings, ClusterPaths paths, IProgress<Docker.ImagePullProgress>? pullProgress = null, Engine.IEnginePorts? ports = null) : IClusterController
{
    // A binary runs only when it changed: its sha256 names its version. By node path.
    private readonly Dictionary<string, (string Sha256, string? Version)> _versions = new(StringComparer.Ordinal);

    // The API client of the read-backs, kept while the kubeconfig is the same file: every deploy ends with one. Read-backs
    // run one deploy at a time, so none still uses a client a recreated cluster's kubeconfig replaced.
    private readonly KeptKubernetesClient _kube = new(paths.Kubeconfig);

    public Task<string> ReadArchitectureAsync(CancellationToken ct) => ClusterArchitecture.ReadAsync(docker, settings.Images.K3s, null, pullProgress, ct);

    public Task<BootstrapDecision> DecideAsync(CancellationToken ct) =>
        new ClusterLifecycle(docker, settings, paths, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, ports).DecideAsync(ct);

    public Task<ClusterUpResult> UpAsync(Func<CancellationToken, Task<string>> bundleTarball, ILogger logger, CancellationToken ct) =>
        new ClusterLifecycle(docker, settings, paths, logger, ports).UpAsync(
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
        new ClusterLifecycle(docker, settings, paths, logger, ports).RemoveAsync(removeVolume: true, ct);

    public async Task<DeployedState> ReadDeployedAsync(
        ClusterUpResult cluster, IReadOnlyList<ComponentDefinition> components, IReadOnlyDictionary<string, ObservedComponent> verified, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(verified);

        // The node's binaries and the charts are read side by side: this runs after every deploy, before it is done.
        var binaries = components.Where(c => c.Binary is not null)
            .Select(binary => ReadBinaryAsync(cluster, binary, verified.GetValueOrDefault(binary.Name), ct)).ToList();
        var charts = ReadChartsAsync(components, ct);
        var found = new Dictionary<string, ObservedComponent>(StringComparer.Ordinal);
        foreach (var (name, observed) in await Task.WhenAll(binaries).ConfigureAwait(false))
        {
            found[name] = observed;
        }

        foreach (var (name, observed) in await charts.ConfigureAwait(false))
        {
            found[name] = observed;
        }

        return new DeployedState(found);
    }

    private async Task<(string Name, ObservedComponent Observed)> ReadBinaryAsync(ClusterUpResult cluster, ComponentDefinition binary, ObservedComponent? verified, CancellationToken ct)
    {
        var nodePath = binary.BinarySettings.NodePath;
        var sha = verified?.Sha256 ?? await SupervisorDeployer.ReadNodeSha256Async(docker, cluster.ContainerId, nodePath, ct).ConfigureAwait(false);
        (string Sha256, string? Version) known;
        bool cached;
        lock (_versions)
        {
            cached = _versions.TryGetValue(nodePath, out known);
        }

        var version = sha is null ? null
            : verified?.Sha256 == sha && verified.Version is { } reported ? reported
            : cached && known.Sha256 == sha ? known.Version
            : await SupervisorDeployer.ReadNodeVersionAsync(docker, cluster.ContainerId, nodePath, ct).ConfigureAwait(false);
        lock (_versions)
        {
            if (sha is null)
            {
                _versions.Remove(nodePath);
            }
            else
            {
                _versions[nodePath] = (sha, version);
            }
        }

        return (binary.Name, new ObservedComponent(Sha256: sha, Version: version));
    }

    private async Task<List<(string Name, ObservedComponent Observed)>> ReadChartsAsync(IReadOnlyList<ComponentDefinition> components, CancellationToken ct)
    {
        var found = new List<(string, ObservedComponent)>();
        var charts = components.Where(c => c.Helm is not null).ToList();
        if (charts.Count == 0)
        {
            return found;
        }

        var kube = _kube.Get();
        foreach (var chart in charts)
        {
            var helmChart = await HelmChartDeployer.ReadAsync(kube, chart.HelmSettings.Release, ct).ConfigureAwait(false);
            var values = helmChart["spec"]?["valuesContent"]?.GetValue<string>();
            found.Add((chart.Name, new ObservedComponent(ChartChecksum: HelmValuesEditor.Read(values, "chartChecksum"))));
            foreach (var image in components.Where(c => c.Image?.Chart == chart.Name))
            {
                found.Add((image.Name, new ObservedComponent(Image: HelmChartDeployer.ImageOf(values, image.ImageSettings.ValuesKey))));
            }
        }

        return found;
    }
}
