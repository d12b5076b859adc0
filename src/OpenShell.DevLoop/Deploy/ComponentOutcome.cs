using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Deploy;

/// <summary>What a deploy did to one component; only what its kind has is set.</summary>
/// <param name="Component">The component's name in components.json.</param>
/// <param name="Kind">Its kind.</param>
public sealed record ComponentOutcome(string Component, ComponentKind Kind)
{
    /// <summary>An image: the reference its chart pins (<c>repository@sha256:…</c>), when known.</summary>
    public string? Image { get; init; }

    /// <summary>An image: the manifest digest in the registry, when it was built.</summary>
    public string? Digest { get; init; }

    /// <summary>An image: true when its StatefulSet rolled to a new image.</summary>
    public bool Rolled { get; init; }

    /// <summary>A binary: its sha256 read back from the node.</summary>
    public string? Sha256 { get; init; }

    /// <summary>A binary: the version it reported when a sandbox proved it; null when none did.</summary>
    public string? Version { get; init; }

    /// <summary>A binary: its path on the node.</summary>
    public string? NodePath { get; init; }

    /// <summary>A chart: the packaged chart's sha256.</summary>
    public string? ChartChecksum { get; init; }

    /// <summary>A chart: true when its HelmChart object was updated (a new Helm revision).</summary>
    public bool HelmChartChanged { get; init; }
}
