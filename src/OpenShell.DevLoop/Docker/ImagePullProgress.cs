namespace OpenShell.DevLoop.Docker;

/// <summary>A pull's progress over all its layers.</summary>
/// <param name="Image">The image being pulled.</param>
/// <param name="Status">The engine's latest status line (with the layer id when it is about one).</param>
/// <param name="LayersDone">Layers complete (pulled, or already present).</param>
/// <param name="LayersTotal">Layers known so far.</param>
/// <param name="BytesDone">Bytes downloaded so far over the layers whose size is known.</param>
/// <param name="BytesTotal">Their total size, 0 before any size is known.</param>
public readonly record struct ImagePullProgress(string Image, string Status, int LayersDone, int LayersTotal, long BytesDone, long BytesTotal);
