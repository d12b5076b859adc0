using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>
/// The configuration of an image assembled from a base and an app layer: the base's configuration (entrypoint, user,
/// working folder, environment, ports, health check unchanged) with the layer's diff id appended to <c>rootfs.diff_ids</c>,
/// a history entry for it, and the labels added. Nothing in it depends on the time, so the same base, layer and labels
/// give the same bytes and the same digest.
/// </summary>
internal static class AppImageConfig
{
    // As the engine writes configurations: '<', '>' and '+' kept as they are, not escaped.
    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Derives the configuration from <paramref name="baseConfig"/> (the base image's configuration blob).</summary>
    /// <exception cref="InvalidOperationException">The base configuration is not an image configuration.</exception>
    public static byte[] Derive(ReadOnlySpan<byte> baseConfig, string diffId, string createdBy, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var root = JsonNode.Parse(baseConfig) as JsonObject
            ?? throw new InvalidOperationException("The base image's configuration is not a JSON object.");
        if (root["rootfs"]?["diff_ids"] is not JsonArray diffIds)
        {
            throw new InvalidOperationException("The base image's configuration has no rootfs.diff_ids.");
        }

        diffIds.Add(diffId);
        if (root["history"] is not JsonArray history)
        {
            root["history"] = history = [];
        }

        // The layer is as old as the base: a time of its own would give every assembly a new digest.
        var entry = new JsonObject();
        if (root["created"]?.DeepClone() is { } created)
        {
            entry["created"] = created;
        }

        entry["created_by"] = createdBy;
        history.Add(entry);
        if (root["config"] is not JsonObject config)
        {
            root["config"] = config = [];
        }

        if (config["Labels"] is not JsonObject existing)
        {
            config["Labels"] = existing = [];
        }

        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            existing[name] = value;
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString(s_json));
    }

    /// <summary>The labels of a configuration blob (empty when it has none).</summary>
    public static IReadOnlyDictionary<string, string> Labels(ReadOnlySpan<byte> config)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (JsonNode.Parse(config)?["config"]?["Labels"] is JsonObject found)
        {
            foreach (var (name, value) in found)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text))
                {
                    labels[name] = text;
                }
            }
        }

        return labels;
    }
}
