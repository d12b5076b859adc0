namespace OpenShell.DevLoop.Deploy;

/// <summary>What the dev loop sets in the <c>openshell</c> HelmChart's values; everything else there is kept.</summary>
/// <param name="ImageRepository">The gateway image repository (<c>127.0.0.1:5000/openshell/gateway</c>).</param>
/// <param name="ImageDigest">The manifest digest to pin, or null to keep what the values hold.</param>
/// <param name="ChartChecksum">The packaged chart's sha256 (rolls the pod when the chart changes).</param>
internal sealed record GatewayValues(string ImageRepository, string? ImageDigest, string ChartChecksum)
{
    /// <summary>The gRPC endpoint sandbox pods use to reach the gateway.</summary>
    public const string GrpcEndpoint = "https://openshell.openshell.svc.cluster.local:8080";

    /// <summary>With a digest pinned the image can only change with it, so the node's copy is always right.</summary>
    public const string PullPolicy = "IfNotPresent";

    /// <summary>
    /// A dev deploy probes the gateway's start every second, where the chart (as upstream's) probes every 2 s: a new pod
    /// serves about 2 s after it is added, just after the first 2 s tick, so it counted as started only at the next
    /// one, 2 s later, and its rollout waited for nothing else. The time it may take to start stays 60 s (60 probes).
    /// Readiness is probed as soon as the start probe passes either way.
    /// </summary>
    public static IReadOnlyList<(string[] Path, string Value)> StartupProbe { get; } =
    [
        (["probes", "startup", "periodSeconds"], "1"),
        (["probes", "startup", "failureThreshold"], "60"),
    ];

    /// <summary>The same values with the gateway pinned under <c>image</c>.</summary>
    public ChartValues ToChartValues() => new(ChartChecksum, [new ImagePin(Components.ComponentDefaults.ValuesKey, ImageRepository, ImageDigest)]);
}
