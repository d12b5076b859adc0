using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Patching;

/// <summary>
/// Strategic merge patch for the fields the dev host uses: like a merge patch, except that lists of
/// containers, env, ports, volumes, volumeMounts, imagePullSecrets and conditions merge by their merge key,
/// <c>$patch: delete|replace</c> directives are honoured, and <c>$setElementOrder</c>/<c>$retainKeys</c> directives are ignored.
/// Other lists are replaced, as for atomic lists in the real schema.
/// </summary>
internal static class StrategicMergePatch
{
    private static readonly Dictionary<string, string> s_mergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["ports"] = "containerPort",
        ["imagePullSecrets"] = "name",
        ["conditions"] = "type",
        ["tolerations"] = "key",
        ["hostAliases"] = "ip",
    };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => Merge(target, patch, fieldName: null);

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, string? fieldName)
    {
        if (patch is JsonObject patchObject)
        {
            var directive = Json.Str(patchObject["$patch"]);
            if (directive == "delete")
            {
                return null;
            }

            var result = directive != "replace" && target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
            foreach (var (key, value) in patchObject)
            {
                if (key.StartsWith('$'))
                {
                    continue;
                }

                if (value is null)
                {
                    result.Remove(key);
                    continue;
                }

                var merged = Merge(result[key], value, key);
                if (merged is null)
                {
                    result.Remove(key);
                }
                else
                {
                    result[key] = merged;
                }
            }

            return result;
        }

        if (patch is JsonArray patchArray && fieldName is not null && s_mergeKeys.TryGetValue(fieldName, out var mergeKey) && target is JsonArray targetArray)
        {
            return MergeList(targetArray, patchArray, mergeKey, fieldName);
        }

        return patch?.DeepClone();
    }

    private static JsonArray MergeList(JsonArray target, JsonArray patch, string mergeKey, string fieldName)
    {
        var result = (JsonArray)target.DeepClone();
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem || patchItem[mergeKey] is not { } keyNode)
            {
                result.Add(item?.DeepClone());
                continue;
            }

            var existing = result.OfType<JsonObject>().FirstOrDefault(e => JsonNode.DeepEquals(e[mergeKey], keyNode));
            if (existing is null)
            {
                if (Json.Str(patchItem["$patch"]) != "delete")
                {
                    result.Add(Merge(null, patchItem, fieldName));
                }

                continue;
            }

            var index = result.IndexOf(existing);
            var merged = Merge(existing, patchItem, fieldName);
            result.RemoveAt(index);
            if (merged is not null)
            {
                result.Insert(index, merged);
            }
        }

        return result;
    }
}
