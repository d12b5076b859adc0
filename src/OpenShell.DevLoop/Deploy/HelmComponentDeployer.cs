using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// A helm component through k3s's helm-controller: the chart folder packaged, its HelmChart updated with the pinned images
/// and annotated with the planned fingerprint (<see cref="HelmChartDeployer"/>) and, when asked, k3s's helm job waited for.
/// </summary>
internal sealed class HelmComponentDeployer : IHelmComponentDeployer
{
    public async Task<ChartApplied> ApplyAsync(
        ComponentDefinition chart, IReadOnlyList<ImagePin> images, bool waitForJob, DeployTarget target, DeployRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(run);
        var helm = chart.HelmSettings;
        var root = target.RepositoryRoot;
        var kube = await target.KubernetesAsync(ct).ConfigureAwait(false);
        if (await HelmChartDeployer.EnsureSshHandshakeSecretAsync(kube, ct).ConfigureAwait(false))
        {
            run.Progress(DeployStep.HelmUpgrade, chart.Name, "created the SSH handshake secret");
        }

        var packaged = await ChartPackager.PackAsync(Path.Combine(root, helm.Path), new CachePaths(root).ChartPackageOf(chart.Name), ct).ConfigureAwait(false);
        var update = await HelmChartDeployer.ApplyAsync(kube, helm.Release, packaged, new ChartValues(packaged.Sha256, images),
            target.Plan[chart.Name].Fingerprint, ct).ConfigureAwait(false);
        if (update.Changed && waitForJob)
        {
            await HelmJobWaiter.WaitAsync(kube, helm.Release, update.PreviousJobUid, target.Request.RolloutTimeout,
                m => run.Progress(DeployStep.HelmUpgrade, chart.Name, m), ct).ConfigureAwait(false);
        }

        return new ChartApplied(update.Changed, packaged.Sha256, update.Images);
    }
}
