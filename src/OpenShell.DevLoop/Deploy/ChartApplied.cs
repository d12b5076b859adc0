namespace OpenShell.DevLoop.Deploy;

/// <summary>What applying a chart did.</summary>
/// <param name="Changed">True when its HelmChart was updated (a new Helm revision).</param>
/// <param name="ChartChecksum">The packaged chart's sha256.</param>
/// <param name="Images">The image each pinned values key selects now (<c>repository@digest</c>), by values key.</param>
internal sealed record ChartApplied(bool Changed, string ChartChecksum, IReadOnlyDictionary<string, string> Images);
