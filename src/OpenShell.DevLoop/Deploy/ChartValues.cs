namespace OpenShell.DevLoop.Deploy;

/// <summary>What the dev loop sets in a HelmChart's values; everything else there is kept.</summary>
/// <param name="ChartChecksum">The packaged chart's sha256 (rolls the pods when the chart changes).</param>
/// <param name="Images">The images the chart pins, one per image component that names it.</param>
internal sealed record ChartValues(string ChartChecksum, IReadOnlyList<ImagePin> Images);
