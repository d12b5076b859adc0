namespace OpenShell.DevLoop.Publishing;

/// <summary>What a publish pushed.</summary>
/// <param name="Images">The per-architecture images, cluster then gateway, in platform order.</param>
/// <param name="References">Every reference stored, per-architecture images first, then the manifest lists and their copies.</param>
/// <param name="TotalSeconds">The whole publish, verification to the last tag.</param>
public sealed record PublishResult(IReadOnlyList<PublishedImage> Images, IReadOnlyList<PushedReference> References, double TotalSeconds)
{
    /// <summary>Bytes of layers uploaded, all images together.</summary>
    public long BytesPushed => Images.Sum(i => i.BytesPushed);
}
