using System.Text.Json;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Writes manifest.json in the producer schema, fields in the producer's order (reading is <see cref="BundleContract"/>'s).</summary>
internal static class BundleManifestJson
{
    public static byte[] Serialize(BundleManifest manifest)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schema_version", manifest.SchemaVersion);
            writer.WriteString("bundle_name", manifest.Name);
            writer.WriteString("bundle_version", manifest.Version);
            writer.WriteString("architecture", manifest.Architecture);
            writer.WriteString("created_at", manifest.CreatedAt);
            writer.WriteStartObject("components");
            WriteComponent(writer, BundleManifest.ToolkitComponent, manifest.Toolkit);
            WriteComponent(writer, BundleManifest.LibraryComponent, manifest.Library);
            writer.WriteEndObject();
            writer.WriteStartArray("files");
            foreach (var file in manifest.Files)
            {
                writer.WriteStartObject();
                writer.WriteString("path", file.Path);
                writer.WriteString("entry_type", file.EntryType);
                if (file.IsSymlink)
                {
                    if (file.Target is not null)
                    {
                        writer.WriteString("target", file.Target);
                    }
                }
                else
                {
                    writer.WriteString("sha256", file.Sha256);
                    writer.WriteNumber("size", file.Size ?? 0);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteComponent(Utf8JsonWriter writer, string name, BundleComponent component)
    {
        writer.WriteStartObject(name);
        writer.WriteString("version", component.Version);
        writer.WriteString("commit", component.Commit);
        writer.WriteEndObject();
    }
}
