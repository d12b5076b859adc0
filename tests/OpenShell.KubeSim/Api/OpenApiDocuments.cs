using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Api;

/// <summary>
/// A skeletal OpenAPI v3 (<c>/openapi/v3</c> and one document per group-version): one PATCH operation per kind with its
/// <c>x-kubernetes-group-version-kind</c> and query parameters, which is what kubectl reads to learn that the server
/// takes <c>fieldValidation</c>. No schemas are published.
/// </summary>
internal static class OpenApiDocuments
{
    private const string Hash = "kubesim";

    public static JsonObject Root()
    {
        var paths = new JsonObject();
        foreach (var prefix in ResourceCatalog.All.Select(Prefix).Distinct())
        {
            paths[prefix.TrimStart('/')] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3{prefix}?hash={Hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for <c>api/v1</c> or <c>apis/GROUP/VERSION</c>; null when not served.</summary>
    public static JsonObject? GroupVersion(string path)
    {
        var kinds = ResourceCatalog.All.Where(k => Prefix(k) == "/" + path.Trim('/')).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var kind in kinds)
        {
            var itemPath = kind.Namespaced
                ? $"{Prefix(kind)}/namespaces/{{namespace}}/{kind.Plural}/{{name}}"
                : $"{Prefix(kind)}/{kind.Plural}/{{name}}";
            var parameters = new JsonArray();
            foreach (var name in new[] { "dryRun", "fieldManager", "fieldValidation", "force" })
            {
                parameters.Add(new JsonObject { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = name == "force" ? "boolean" : "string" } });
            }

            paths[itemPath] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{kind.Kind}",
                    ["parameters"] = parameters,
                    ["responses"] = new JsonObject(),
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = Discovery.KubernetesVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static string Prefix(ResourceKind kind) => kind.Group.Length == 0 ? $"/api/{kind.Version}" : $"/apis/{kind.Group}/{kind.Version}";
}
