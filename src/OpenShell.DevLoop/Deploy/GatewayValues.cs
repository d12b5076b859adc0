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

    /// <summary>The same values with the gateway pinned under <c>image</c>.</summary>
    public ChartValues ToChartValues() => new(ChartChecksum, [new ImagePin(Components.ComponentDefaults.ValuesKey, ImageRepository, ImageDigest)]);
}
