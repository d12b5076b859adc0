using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>A base image in the registry: its manifest, its configuration's bytes and its compressed layers, in order.</summary>
/// <param name="Tag">The tag it is kept under (<c>base-&lt;key&gt;</c>: the key names its inputs).</param>
/// <param name="Manifest">Its manifest as stored.</param>
/// <param name="Config">Its configuration blob.</param>
/// <param name="Layers">Its layers as the manifest lists them.</param>
internal sealed record AppBaseImage(string Tag, RegistryManifest Manifest, ReadOnlyMemory<byte> Config, IReadOnlyList<DigestPusher.Blob> Layers);
