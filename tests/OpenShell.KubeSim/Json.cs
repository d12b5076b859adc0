using System.Globalization;
using System.Text.Json.Nodes;

namespace OpenShell.KubeSim;

/// <summary>Small helpers over <see cref="JsonNode"/> for Kubernetes objects.</summary>
internal static class Json
{
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static JsonObject Child(JsonObject obj, string name)
    {
        if (obj[name] is JsonObject child)
        {
            return child;
        }

        child = [];
        obj[name] = child;
        return child;
    }

    public static string Name(JsonObject obj) => Str(obj["metadata"]?["name"]) ?? "";

    public static string Namespace(JsonObject obj) => Str(obj["metadata"]?["namespace"]) ?? "";

    /// <summary>True for an object a delete has marked (<c>metadata.deletionTimestamp</c>) and that is still there.</summary>
    public static bool IsTerminating(JsonNode? obj) => obj?["metadata"]?["deletionTimestamp"] is not null;

    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    public static long? Long(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return (long)d;
        }

        return value.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    /// <summary>Follows a dotted path such as <c>spec.template.metadata</c>.</summary>
    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static Dictionary<string, string> Labels(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                labels[key] = Str(value) ?? value?.ToJsonString() ?? "";
            }
        }

        return labels;
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Now() => Timestamp(DateTimeOffset.UtcNow);
}
