using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Patching;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy and test over JSON pointers.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw KubeApiException.BadRequest("a JSON patch must be an array of operations");
        }

        var root = target.DeepClone();
        foreach (var operation in operations)
        {
            var op = Json.Str(operation?["op"]) ?? throw KubeApiException.BadRequest("JSON patch operation without \"op\"");
            var path = Json.Str(operation!["path"]) ?? throw KubeApiException.BadRequest($"JSON patch operation {op} without \"path\"");
            switch (op)
            {
                case "add":
                    Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                {
                    var from = Json.Str(operation["from"]) ?? throw KubeApiException.BadRequest("JSON patch move without \"from\"");
                    var value = Remove(root, from);
                    Add(root, path, value);
                    break;
                }

                case "copy":
                {
                    var from = Json.Str(operation["from"]) ?? throw KubeApiException.BadRequest("JSON patch copy without \"from\"");
                    Add(root, path, Resolve(root, from)?.DeepClone());
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Resolve(root, path), operation["value"]))
                    {
                        throw new KubeApiException(422, "Invalid", $"the JSON patch test operation failed at {path}");
                    }

                    break;
                default:
                    throw KubeApiException.BadRequest($"unknown JSON patch operation \"{op}\"");
            }
        }

        return root;
    }

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (!pointer.StartsWith('/'))
        {
            throw KubeApiException.BadRequest($"invalid JSON pointer \"{pointer}\": it must start with /");
        }

        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
    }

    private static JsonNode? Resolve(JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject obj => obj[token],
                JsonArray array when int.TryParse(token, out var i) && i >= 0 && i < array.Count => array[i],
                _ => throw new KubeApiException(422, "Invalid", $"JSON patch path {pointer} does not exist"),
            };
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            throw KubeApiException.BadRequest("a JSON patch may not replace the whole object");
        }

        var parentPointer = pointer[..pointer.LastIndexOf('/')];
        var parent = Resolve(root, parentPointer) ?? throw new KubeApiException(422, "Invalid", $"JSON patch path {parentPointer} does not exist");
        return (parent, tokens[^1]);
    }

    private static void Add(JsonNode root, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, out var i) && i >= 0 && i <= array.Count:
                array.Insert(i, value);
                break;
            default:
                throw new KubeApiException(422, "Invalid", $"JSON patch cannot add at {pointer}");
        }
    }

    private static JsonNode? Remove(JsonNode root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
            {
                var value = obj[last];
                obj.Remove(last);
                return value;
            }

            case JsonArray array when int.TryParse(last, out var i) && i >= 0 && i < array.Count:
            {
                var value = array[i];
                array.RemoveAt(i);
                return value;
            }

            default:
                throw new KubeApiException(422, "Invalid", $"JSON patch path {pointer} does not exist");
        }
    }
}
