using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>
/// Builds an image as its Dockerfile would, without the engine on the edit path: the base (the Dockerfile without its
/// app <c>COPY</c>, with the runtime files) is built by the engine and pushed once per change of its inputs, and kept in the
/// registry under <c>base-&lt;key&gt;</c>; on every build only the app layer is written here, with a configuration and a
/// manifest derived from the base's, and pushed through the registry API: the layer and the configuration when the
/// registry lacks them, then the manifest under the tag. The same publish output on the same base gives the same bytes,
/// so the same digest, and nothing is pushed.
/// </summary>
internal static partial class AppImageAssembler
{
    /// <summary>
    /// The base of <paramref name="reference"/>'s image in the registry, built by the engine and pushed when the registry
    /// lacks it. Its key is the Dockerfile without the app <c>COPY</c>, <paramref name="baseImage"/>'s id and the publish
    /// folder's runtime files.
    /// </summary>
    /// <exception cref="RegistryException">The registry failed or refused a request.</exception>
    /// <exception cref="ImagePullException">A FROM image is missing and could not be pulled.</exception>
    public static async Task<AppBaseImage> EnsureBaseAsync(
        IDockerClient docker, RegistryClient registry, ImageReference reference, string publishDirectory, AppCopyInstruction copy, string baseImage, string layerCache,
        ILogger logger, IProgress<ImagePullProgress>? pullProgress = null, Action<string>? onProgress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(copy);
        var froms = DockerfileBaseImages.Read(copy.BaseDockerfile, new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage });
        await ImagePuller.EnsureAllPresentAsync(docker, froms, logger, pullProgress, ct: ct).ConfigureAwait(false);
        var fromId = (await docker.Images.InspectImageAsync(baseImage, ct).ConfigureAwait(false)).ID;

        // The hashes of the runtime files are kept beside the publish folder, so an edit does not read them again.
        var runtime = await GatewayImageBuilder.RuntimeFingerprintAsync(publishDirectory, ct, publishDirectory.TrimEnd('/') + ".runtime-sha256").ConfigureAwait(false);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"dockerfile\n{copy.BaseDockerfile}\nfrom {fromId}\nruntime {runtime}\n")))[..16];
        var tag = $"base-{key}";
        var repository = GatewayImageBuilder.RepositoryOf(reference.ToString());
        var manifest = await ReadTagAsync(registry, reference.Repository, tag, logger, ct).ConfigureAwait(false);
        if (manifest?.MediaType != ManifestMediaTypes.DockerManifest)
        {
            var local = $"{repository}:{tag}";
            if (!await ImagePuller.IsPresentAsync(docker, local, ct).ConfigureAwait(false))
            {
                onProgress?.Invoke($"building the base image {local} (runtime files or Dockerfile changed)");
                LogBuildingBase(logger, local);
                await GatewayImageBuilder.BuildBaseAsync(docker, copy.BaseDockerfile, publishDirectory, local, baseImage, repository, logger, ct).ConfigureAwait(false);
            }

            onProgress?.Invoke($"pushing the base image {local}");
            var pushed = await DigestPusher.PushAsync(docker, local, registry, reference.Repository, layerCache, logger, ct).ConfigureAwait(false);
            await registry.CopyManifestAsync(reference.Repository, pushed.Manifest, tag, ct).ConfigureAwait(false);
            manifest = pushed.Manifest;
        }

        var (configDigest, layers) = ReadManifest(manifest, repository, tag);
        using var buffer = new MemoryStream();
        await using (var blob = await registry.OpenBlobAsync(reference.Repository, configDigest, ct).ConfigureAwait(false))
        {
            await blob.CopyToAsync(buffer, ct).ConfigureAwait(false);
        }

        var config = buffer.ToArray();
        if (RegistryClient.DigestOf(config) != configDigest)
        {
            throw new RegistryException($"{registry.Endpoint.Host} served the configuration {configDigest} of {repository}:{tag} with other content.", "Check the registry: it served a blob that does not match its digest.");
        }

        return new AppBaseImage(tag, manifest, config, layers);
    }

    /// <summary>
    /// Assembles <paramref name="reference"/>'s image: <paramref name="baseImage"/> and the app layer of
    /// <paramref name="publishDirectory"/>, carrying <paramref name="labels"/>, the <see cref="GatewayImageBuilder.RepositoryLabel"/>
    /// and the <see cref="GatewayImageBuilder.ContentLabel"/> (the base's digest and the layer's diff id).
    /// </summary>
    public static async Task<AssembledImage> AssembleAsync(
        AppBaseImage baseImage, string publishDirectory, AppCopyInstruction copy, ImageReference reference, IReadOnlyDictionary<string, string> labels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(labels);
        var layer = await AppLayerWriter.WriteAsync(publishDirectory, copy, ct).ConfigureAwait(false);
        var all = new Dictionary<string, string>(labels, StringComparer.Ordinal)
        {
            [GatewayImageBuilder.RepositoryLabel] = GatewayImageBuilder.RepositoryOf(reference.ToString()),
            [GatewayImageBuilder.ContentLabel] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"base {baseImage.Manifest.Digest}\napp {layer.DiffId}\n"))),
        };
        var config = AppImageConfig.Derive(baseImage.Config.Span, layer.DiffId, copy.Instruction, all);
        var manifest = DigestPusher.Manifest(RegistryClient.DigestOf(config), config.Length, [.. baseImage.Layers, new DigestPusher.Blob(layer.Digest, layer.Size, null)]);
        return new AssembledImage(reference, baseImage, layer, config, manifest);
    }

    /// <summary>
    /// Pushes <paramref name="image"/>: nothing when the registry's tag already names its digest; else the app layer and
    /// the configuration when the registry lacks them, then the manifest under the tag (the base's blobs are there).
    /// </summary>
    /// <exception cref="RegistryException">The registry failed or refused a request: nothing is recorded, the tag keeps its image.</exception>
    public static async Task<GatewayImage> PushAsync(RegistryClient registry, AssembledImage image, ILogger logger, Action<string>? onProgress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(image);
        var reference = image.Reference;
        var path = reference.Repository;
        var result = new GatewayImage(reference.ToString(), GatewayImageBuilder.RepositoryOf(reference.ToString()), image.Digest);
        var current = await ReadTagAsync(registry, path, reference.Tag, logger, ct).ConfigureAwait(false);
        if (current?.Digest == image.Digest)
        {
            LogSameContent(logger, result.Tag, image.Digest);
            onProgress?.Invoke($"the registry already holds this content as {image.Digest}: nothing to push");
            return result with { Pushed = false };
        }

        await Deploy.DeployFaultPoints.ReachAsync(Deploy.DeployFaultPoints.ImagePush, ct).ConfigureAwait(false);
        long bytes = 0;
        var layerPushed = false;
        if (await BlobSizeAsync(registry, path, image.Layer.Digest, logger, ct).ConfigureAwait(false) != image.Layer.Size)
        {
            onProgress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{image.Layer.Digest[7..19]}: uploading the app layer ({image.Layer.Size} bytes, {image.Layer.Files} files)"));
            await registry.UploadBlobAsync(path, image.Layer.Digest, () => new MemoryStream(image.Layer.Compressed.ToArray(), writable: false), image.Layer.Size, ct).ConfigureAwait(false);
            bytes += image.Layer.Size;
            layerPushed = true;
        }

        if (await BlobSizeAsync(registry, path, image.ConfigDigest, logger, ct).ConfigureAwait(false) != image.Config.Length)
        {
            await registry.UploadBlobAsync(path, image.ConfigDigest, () => new MemoryStream(image.Config.ToArray(), writable: false), image.Config.Length, ct).ConfigureAwait(false);
            bytes += image.Config.Length;
        }

        var digest = await registry.PutManifestAsync(path, reference.Tag, ManifestMediaTypes.DockerManifest, image.Manifest, ct).ConfigureAwait(false);
        onProgress?.Invoke($"{reference.Tag}: digest: {digest}");
        LogPushed(logger, result.Tag, digest, bytes);
        return result with
        {
            Digest = digest,
            BytesPushed = bytes,
            LayersPushed = layerPushed ? 1 : 0,
            LayersReused = image.Base.Layers.Count + (layerPushed ? 0 : 1),
        };
    }

    /// <summary>
    /// A registry failure while <paramref name="doing"/> (<c>assembling</c>, <c>pushing</c>) <paramref name="tag"/>, with the
    /// registry and the fix named for the dev loop.
    /// </summary>
    public static RegistryException Explain(RegistryException error, string tag, string doing = "pushing")
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RegistryException(
            $"{char.ToUpperInvariant(doing[0])}{doing[1..]} {tag} failed at the registry: {error.Message}",
            $"{error.Remedy ?? "Check the registry."} 'openshell-dev deploy' starts the dev registry again when it is gone; then deploy again.",
            error.StatusCode,
            error);
    }

    // The registry writes its record of a tag, and of a repository's blob, in place (truncate, then write). So a registry
    // stopped in the middle of one (its engine restarted during a push) keeps an empty record and answers HTTP 500 for that
    // tag or blob from then on. Pushing the tag or the blob again writes the record again and mends it, so here an
    // unreadable record counts as absent. Any other failure stops the push.
    private static Task<RegistryManifest?> ReadTagAsync(RegistryClient registry, string repository, string tag, ILogger logger, CancellationToken ct) =>
        AbsentWhenUnreadableAsync(() => registry.GetManifestAsync(repository, tag, ct), $"{repository}:{tag}", logger);

    private static Task<long?> BlobSizeAsync(RegistryClient registry, string repository, string digest, ILogger logger, CancellationToken ct) =>
        AbsentWhenUnreadableAsync(() => registry.BlobSizeAsync(repository, digest, ct), $"{repository}@{digest}", logger);

    private static async Task<T?> AbsentWhenUnreadableAsync<T>(Func<Task<T?>> read, string name, ILogger logger)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (RegistryException error) when (error.StatusCode == 500)
        {
            LogUnreadableRecord(logger, name, error.Message);
            return default;
        }
    }

    private static (string Config, IReadOnlyList<DigestPusher.Blob> Layers) ReadManifest(RegistryManifest manifest, string repository, string tag)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest.Content);
            var root = document.RootElement;
            var config = root.GetProperty("config").GetProperty("digest").GetString()!;
            var layers = root.GetProperty("layers").EnumerateArray()
                .Select(l => new DigestPusher.Blob(l.GetProperty("digest").GetString()!, l.GetProperty("size").GetInt64(), null))
                .ToList();
            return (config, layers);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new RegistryException($"The manifest of {repository}:{tag} is not an image manifest ({ex.Message}).", "Delete the tag from the registry (or recreate the registry) so the base image is pushed again.", null, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the registry cannot read its record of {Name} ({Error}); pushing it again to rewrite the record")]
    private static partial void LogUnreadableRecord(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "building the base image {Image}")]
    private static partial void LogBuildingBase(ILogger logger, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Tag}: the registry already holds this image ({Digest}); nothing pushed")]
    private static partial void LogSameContent(ILogger logger, string tag, string digest);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Tag}: pushed {Digest} ({Bytes} new bytes)")]
    private static partial void LogPushed(ILogger logger, string tag, string digest, long bytes);
}
