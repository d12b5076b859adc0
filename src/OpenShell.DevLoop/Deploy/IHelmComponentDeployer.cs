using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Deploy;

/// <summary>Applies a <see cref="ComponentKind.Helm"/> component through its HelmChart (Kubernetes behind it; a fake in tests).</summary>
internal interface IHelmComponentDeployer
{
    /// <summary>
    /// Packages the chart and updates its HelmChart with <paramref name="images"/> pinned; when it changed and
    /// <paramref name="waitForJob"/>, waits for k3s's helm job. Runs inside its <see cref="DeployStep.HelmUpgrade"/> step.
    /// </summary>
    Task<ChartApplied> ApplyAsync(ComponentDefinition chart, IReadOnlyList<ImagePin> images, bool waitForJob, DeployTarget target, DeployRun run, CancellationToken ct);
}
