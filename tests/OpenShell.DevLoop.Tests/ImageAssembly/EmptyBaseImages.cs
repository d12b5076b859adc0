using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

/// <summary>Images assembled on a base of no layers, for pushes that need no base blobs in the registry.</summary>
internal static class EmptyBaseImages
{
    /// <summary>The app layer of <paramref name="publishDirectory"/> (copied to <c>/srv/</c>) as <paramref name="reference"/>.</summary>
    public static Task<AssembledImage> AssembleAsync(string publishDirectory, ImageReference reference)
    {
        var config = """{"config":{},"rootfs":{"type":"layers","diff_ids":[]},"history":[]}"""u8.ToArray();
        var manifest = DigestPusher.Manifest(RegistryClient.DigestOf(config), config.Length, []);
        var baseImage = new AppBaseImage("base-1", new RegistryManifest(RegistryClient.DigestOf(manifest), ManifestMediaTypes.DockerManifest, manifest), config, []);
        return AppImageAssembler.AssembleAsync(baseImage, publishDirectory, AppCopyInstruction.Find("FROM b\nCOPY app/ /srv/\n")!, reference, new Dictionary<string, string>());
    }
}
