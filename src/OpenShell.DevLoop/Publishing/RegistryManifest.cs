namespace OpenShell.DevLoop.Publishing;

/// <summary>A manifest as the registry stores it: its exact bytes, their digest and their media type.</summary>
/// <param name="Digest">The manifest digest (<c>sha256:…</c>) of <paramref name="Content"/>.</param>
/// <param name="MediaType">The media type the registry served it with.</param>
/// <param name="Content">The manifest's bytes (a copy must PUT exactly these to keep the digest).</param>
public sealed record RegistryManifest(string Digest, string MediaType, ReadOnlyMemory<byte> Content)
{
    /// <summary>The manifest's size in bytes, as a manifest list records it.</summary>
    public long Size => Content.Length;
}
