namespace OpenShell.DevLoop.Deploy;

/// <summary>What <see cref="HelmChartDeployer.ApplyAsync"/> did.</summary>
/// <param name="Changed">True when the HelmChart was updated (k3s runs its helm job again).</param>
/// <param name="PreviousJobUid">The uid of the helm job before the update, to tell the new job from the old one.</param>
/// <param name="Images">The image each pinned values key now selects (<c>repository@digest</c>, or <c>repository:tag</c>), by values key.</param>
internal sealed record HelmChartUpdate(bool Changed, string? PreviousJobUid, IReadOnlyDictionary<string, string> Images);
