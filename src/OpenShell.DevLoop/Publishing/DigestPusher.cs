using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// Pushes an image of the engine to a repository by digest only: no tag is created. The engine can push only a tag, so
/// the image's blobs go through the registry API instead: each layer, gzip-compressed, and the configuration as the
/// engine stores it (its digest is the image id), then the image manifest is PUT under its own digest
/// (<c>/v2/&lt;name&gt;/manifests/&lt;digest&gt;</c>), ready for a manifest list to name it.
/// <para>
/// Which compressed blob belongs to which layer (its diff id) is kept under the layer cache folder, one file per diff id
/// written atomically, so an image whose blobs the registry already holds is pushed without exporting it from the
/// engine; otherwise the image is exported once (<c>docker save</c>) and only the missing layers are compressed and uploaded.
/// </para>
/// </summary>
public static partial class DigestPusher
{
    private const string ConfigMediaType = "application/vnd.docker.container.image.v1+json";
    private const string LayerMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>Pushes <paramref name="image"/> (a local reference) into <paramref name="repository"/> by digest.</summary>
    /// <param name="docker">The engine that holds the image.</param>
    /// <param name="image">The local image.</param>
    /// <param name="registry">The registry.</param>
    /// <param name="repository">The repository path (<c>myorg/openshell-gateway</c>).</param>
    /// <param name="layerCache">The folder of the layer-to-blob records and the export's scratch files.</param>
    /// <param name="logger">A line per uploaded blob.</param>
    /// <param name="ct">Cancels the push.</param>
    /// <exception cref="PublishException">The engine's export does not match the image.</exception>
    /// <exception cref="RegistryException">The registry refused a blob or the manifest.</exception>
    public static async Task<DigestPush> PushAsync(
        IDockerClient docker, string image, RegistryClient registry, string repository, string layerCache, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(logger);
        Directory.CreateDirectory(layerCache);
        var inspect = await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
        var configDigest = inspect.ID;
        var diffIds = inspect.RootFS?.Layers ?? [];

        // What the registry already holds, known without touching the image.
        var layers = new Blob?[diffIds.Count];
        var reused = 0;
        for (var i = 0; i < diffIds.Count; i++)
        {
            if (ReadRecord(layerCache, diffIds[i]) is { } known && await registry.BlobSizeAsync(repository, known.Digest, ct).ConfigureAwait(false) == known.Size)
            {
                layers[i] = known;
                reused++;
            }
        }

        var configSize = await registry.BlobSizeAsync(repository, configDigest, ct).ConfigureAwait(false);
        long bytes = 0;
        var pushed = 0;
        if (configSize is null || layers.Any(l => l is null))
        {
            var scratch = Path.Combine(layerCache, $"export-{Guid.NewGuid():N}");
            Directory.CreateDirectory(scratch);
            try
            {
                var export = Path.Combine(scratch, "image.tar");
                await using (var saved = await docker.Images.SaveImageAsync(image, ct).ConfigureAwait(false))
                await using (var file = File.Create(export))
                {
                    await saved.CopyToAsync(file, ct).ConfigureAwait(false);
                }

                var (configPath, layerPaths) = await ReadExportManifestAsync(export, image, ct).ConfigureAwait(false);
                if (layerPaths.Count != diffIds.Count)
                {
                    throw new PublishException($"The engine's export of {image} has {layerPaths.Count} layers, its configuration {diffIds.Count}.", "Rebuild the image and publish again.");
                }

                var wanted = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < layerPaths.Count; i++)
                {
                    if (layers[i] is null)
                    {
                        wanted.TryAdd(layerPaths[i], i);
                    }
                }

                await using var tar = File.OpenRead(export);
                using var reader = new TarReader(tar);
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                {
                    if (entry.DataStream is not { } data)
                    {
                        continue;
                    }

                    if (entry.Name == configPath && configSize is null)
                    {
                        using var buffer = new MemoryStream();
                        await data.CopyToAsync(buffer, ct).ConfigureAwait(false);
                        var config = buffer.ToArray();
                        if (RegistryClient.DigestOf(config) != configDigest)
                        {
                            throw new PublishException($"The engine's export of {image} holds a configuration that is not image {configDigest}.", "Rebuild the image and publish again.");
                        }

                        await registry.UploadBlobAsync(repository, configDigest, () => new MemoryStream(config, writable: false), config.Length, ct).ConfigureAwait(false);
                        configSize = config.Length;
                        bytes += config.Length;
                    }
                    else if (wanted.TryGetValue(entry.Name, out var index))
                    {
                        var blob = await CompressAsync(data, diffIds[index], Path.Combine(scratch, $"layer-{index}.gz"), image, ct).ConfigureAwait(false);
                        if (await registry.BlobSizeAsync(repository, blob.Digest, ct).ConfigureAwait(false) == blob.Size)
                        {
                            reused++;
                        }
                        else
                        {
                            LogUploading(logger, image, blob.Digest, blob.Size);
                            await registry.UploadBlobAsync(repository, blob.Digest, () => File.OpenRead(blob.Path!), blob.Size, ct).ConfigureAwait(false);
                            bytes += blob.Size;
                            pushed++;
                        }

                        await WriteRecordAsync(layerCache, diffIds[index], blob, ct).ConfigureAwait(false);
                        for (var i = 0; i < layerPaths.Count; i++)
                        {
                            if (layerPaths[i] == entry.Name)
                            {
                                layers[i] = blob;
                            }
                        }
                    }
                }

                if (configSize is null || layers.Any(l => l is null))
                {
                    throw new PublishException($"The engine's export of {image} lacks {(configSize is null ? "its configuration" : "a layer")}.", "Rebuild the image and publish again.");
                }
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        var manifest = Manifest(configDigest, configSize.Value, layers!);
        var digest = await registry.PutManifestAsync(repository, RegistryClient.DigestOf(manifest), ManifestMediaTypes.DockerManifest, manifest, ct).ConfigureAwait(false);
        return new DigestPush(new RegistryManifest(digest, ManifestMediaTypes.DockerManifest, manifest), bytes, pushed, reused);
    }

    /// <summary>The image manifest (Docker schema 2) of a configuration and its compressed layers, in order.</summary>
    internal static byte[] Manifest(string configDigest, long configSize, IEnumerable<Blob> layers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", ManifestMediaTypes.DockerManifest);
            writer.WriteStartObject("config");
            writer.WriteString("mediaType", ConfigMediaType);
            writer.WriteNumber("size", configSize);
            writer.WriteString("digest", configDigest);
            writer.WriteEndObject();
            writer.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                writer.WriteStartObject();
                writer.WriteString("mediaType", LayerMediaType);
                writer.WriteNumber("size", layer.Size);
                writer.WriteString("digest", layer.Digest);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // docker save's manifest.json: [{"Config":"<id>.json","RepoTags":[…],"Layers":["<dir>/layer.tar",…]}].
    private static async Task<(string Config, List<string> Layers)> ReadExportManifestAsync(string export, string image, CancellationToken ct)
    {
        await using var tar = File.OpenRead(export);
        using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.Name != "manifest.json" || entry.DataStream is not { } data)
            {
                continue;
            }

            using var json = await JsonDocument.ParseAsync(data, cancellationToken: ct).ConfigureAwait(false);
            var first = json.RootElement[0];
            return (first.GetProperty("Config").GetString()!, [.. first.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!)]);
        }

        throw new PublishException($"The engine's export of {image} has no manifest.json.", "Check the Docker engine: 'docker save' must write its manifest.");
    }

    // Compresses one layer, checking that its uncompressed bytes are the diff id the configuration names.
    private static async Task<Blob> CompressAsync(Stream layer, string diffId, string path, string image, CancellationToken ct)
    {
        using var uncompressed = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = File.Create(path))
        {
            await using var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            var chunk = new byte[1 << 16];
            int read;
            while ((read = await layer.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                uncompressed.AppendData(chunk, 0, read);
                await gzip.WriteAsync(chunk.AsMemory(0, read), ct).ConfigureAwait(false);
            }
        }

        var actual = "sha256:" + Convert.ToHexStringLower(uncompressed.GetHashAndReset());
        if (actual != diffId)
        {
            throw new PublishException($"A layer in the engine's export of {image} is {actual}, not {diffId} as its configuration says.", "Rebuild the image and publish again.");
        }

        string digest;
        await using (var file = File.OpenRead(path))
        {
            digest = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
        }

        return new Blob(digest, new FileInfo(path).Length, path);
    }

    private static string RecordPath(string layerCache, string diffId) => Path.Combine(layerCache, diffId.Replace(':', '-') + ".blob");

    private static Blob? ReadRecord(string layerCache, string diffId)
    {
        var path = RecordPath(layerCache, diffId);
        if (!File.Exists(path))
        {
            return null;
        }

        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].StartsWith("sha256:", StringComparison.Ordinal) && parts[0].Length == 71 && long.TryParse(parts[1], out var size) && size > 0
            ? new Blob(parts[0], size, null)
            : null;
    }

    private static Task WriteRecordAsync(string layerCache, string diffId, Blob blob, CancellationToken ct) =>
        FileSystem.AtomicFile.WriteAsync(RecordPath(layerCache, diffId), Encoding.UTF8.GetBytes($"{blob.Digest} {blob.Size}\n"), ct: ct);

    /// <summary>A compressed layer: its digest and size, and the file holding it while it is being uploaded.</summary>
    internal sealed record Blob(string Digest, long Size, string? Path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Image}: uploading layer {Digest} ({Bytes} bytes)")]
    private static partial void LogUploading(ILogger logger, string image, string digest, long bytes);
}
