using System.Text.Json;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// A Docker manifest list (<see cref="ManifestMediaTypes.DockerManifestList"/>) over per-platform manifests: each entry
/// names the manifest's media type, digest and size and its <c>platform.architecture</c>/<c>os</c>. A Docker list rather
/// than an OCI index, so registries that cannot serve OCI indexes serve it too.
/// </summary>
public static class ManifestList
{
    /// <summary>The list's JSON for <paramref name="entries"/>, in their order.</summary>
    public static byte[] Create(IEnumerable<ManifestListEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", ManifestMediaTypes.DockerManifestList);
            writer.WriteStartArray("manifests");
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("mediaType", entry.Manifest.MediaType);
                writer.WriteNumber("size", entry.Manifest.Size);
                writer.WriteString("digest", entry.Manifest.Digest);
                writer.WriteStartObject("platform");
                writer.WriteString("architecture", entry.Architecture);
                writer.WriteString("os", entry.Os);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The platforms (<c>os/architecture</c>) a manifest list or OCI index names, in its order.</summary>
    public static IReadOnlyList<string> Platforms(ReadOnlyMemory<byte> content)
    {
        using var document = JsonDocument.Parse(content);
        return document.RootElement.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array
            ? [.. manifests.EnumerateArray().Select(m => m.GetProperty("platform") is var p
                ? $"{p.GetProperty("os").GetString()}/{p.GetProperty("architecture").GetString()}" : "")]
            : [];
    }
}
