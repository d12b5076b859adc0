namespace OpenShell.DevLoop.Session;

/// <summary>What runs in the cluster for one component, after a deploy (read back from the cluster where the deploy did not touch it).</summary>
/// <param name="Fingerprint">The content fingerprint of its inputs.</param>
/// <param name="DeployedAt">When this deploy deployed it; null when it was up to date.</param>
/// <param name="Duration">How long the deploy took, when it deployed it.</param>
internal sealed record ComponentFacts(string Fingerprint, DateTimeOffset? DeployedAt, TimeSpan? Duration)
{
    /// <summary>An image: the reference pinned in the chart (<c>repository@sha256:…</c>).</summary>
    public string? Image { get; init; }

    /// <summary>A binary: its sha256 in the node.</summary>
    public string? Sha256 { get; init; }

    /// <summary>A binary: what it answers to <c>--version</c>.</summary>
    public string? Version { get; init; }

    /// <summary>A binary: its path in the node.</summary>
    public string? NodePath { get; init; }

    /// <summary>A chart: the packaged chart's sha256.</summary>
    public string? ChartChecksum { get; init; }

    /// <summary>A chart: true when this deploy made a new Helm revision.</summary>
    public bool? HelmChartChanged { get; init; }
}
