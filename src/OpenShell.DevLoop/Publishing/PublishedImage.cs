namespace OpenShell.DevLoop.Publishing;

/// <summary>One per-architecture image a publish pushed.</summary>
/// <param name="Reference">The reference pushed: tagged (<c>…/openshell-cluster:dev-arm64</c>), or by digest for an image pushed without a tag (<c>…/openshell-gateway@sha256:…</c>).</param>
/// <param name="Architecture">Its architecture, as its configuration says.</param>
/// <param name="Digest">The manifest digest in the registry.</param>
/// <param name="Size">The image's size in the registry: its manifest's layers and configuration, compressed.</param>
/// <param name="BuildSeconds">How long building it took.</param>
/// <param name="PushSeconds">How long pushing it took.</param>
/// <param name="BytesPushed">Bytes of the layers the push uploaded (layers the registry had are not counted).</param>
/// <param name="LayersPushed">Layers uploaded.</param>
/// <param name="LayersReused">Layers the registry already had.</param>
public sealed record PublishedImage(
    string Reference, string Architecture, string Digest, long Size, double BuildSeconds, double PushSeconds, long BytesPushed, int LayersPushed, int LayersReused);
