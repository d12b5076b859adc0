namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>The application layer as pushed: gzip-compressed tar bytes, their digest and the uncompressed tar's digest.</summary>
/// <param name="DiffId">The SHA-256 of the uncompressed tar (<c>sha256:…</c>), as the image configuration lists it.</param>
/// <param name="Digest">The SHA-256 of <paramref name="Compressed"/>: the blob's name in the registry.</param>
/// <param name="Compressed">The gzip-compressed tar.</param>
/// <param name="Files">How many application files the layer holds.</param>
internal sealed record AppLayer(string DiffId, string Digest, ReadOnlyMemory<byte> Compressed, int Files)
{
    /// <summary>The compressed size, as the manifest records it.</summary>
    public long Size => Compressed.Length;
}
