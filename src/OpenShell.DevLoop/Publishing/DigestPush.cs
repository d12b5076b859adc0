namespace OpenShell.DevLoop.Publishing;

/// <summary>What pushing one image by digest did.</summary>
/// <param name="Manifest">The image manifest as stored (its digest is the image's reference in the registry).</param>
/// <param name="BytesPushed">Compressed bytes of the layers (and configuration) uploaded.</param>
/// <param name="LayersPushed">Layers uploaded.</param>
/// <param name="LayersReused">Layers the registry already had.</param>
public sealed record DigestPush(RegistryManifest Manifest, long BytesPushed, int LayersPushed, int LayersReused);
