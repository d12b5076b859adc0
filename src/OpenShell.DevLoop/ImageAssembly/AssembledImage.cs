using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>An image assembled from a base in the registry and an app layer, ready to push: only its own blobs are new.</summary>
/// <param name="Reference">The tag it is pushed under.</param>
/// <param name="Base">The base it is stacked on.</param>
/// <param name="Layer">The app layer.</param>
/// <param name="Config">The configuration blob.</param>
/// <param name="Manifest">The manifest (Docker schema 2); its digest is the image's.</param>
internal sealed record AssembledImage(ImageReference Reference, AppBaseImage Base, AppLayer Layer, ReadOnlyMemory<byte> Config, ReadOnlyMemory<byte> Manifest)
{
    /// <summary>The manifest's digest: what the chart pins.</summary>
    public string Digest => Publishing.RegistryClient.DigestOf(Manifest.Span);

    /// <summary>The configuration's digest.</summary>
    public string ConfigDigest => Publishing.RegistryClient.DigestOf(Config.Span);
}
