namespace OpenShell.DevLoop.Session;

/// <summary>What the cluster runs for one component; only what its kind has is set.</summary>
/// <param name="Image">An image: the reference its chart pins.</param>
/// <param name="Sha256">A binary: its sha256 on the node.</param>
/// <param name="Version">A binary: what it answers to <c>--version</c>.</param>
/// <param name="ChartChecksum">A chart: the checksum in its HelmChart's values.</param>
internal sealed record ObservedComponent(string? Image = null, string? Sha256 = null, string? Version = null, string? ChartChecksum = null)
{
    /// <summary>Nothing observed.</summary>
    public static ObservedComponent None { get; } = new();
}
