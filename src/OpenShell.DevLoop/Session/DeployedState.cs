namespace OpenShell.DevLoop.Session;

/// <summary>What the cluster runs, read back from it.</summary>
/// <param name="GatewayImage">The image pinned in the HelmChart.</param>
/// <param name="SupervisorSha256">The supervisor binary's sha256 in the node.</param>
/// <param name="SupervisorVersion">What the binary answers to <c>--version</c>.</param>
/// <param name="ChartChecksum">The chart checksum in the HelmChart's values.</param>
internal sealed record DeployedState(string? GatewayImage, string? SupervisorSha256, string? SupervisorVersion, string? ChartChecksum)
{
    /// <summary>Nothing known.</summary>
    public static DeployedState Unknown { get; } = new(null, null, null, null);
}
