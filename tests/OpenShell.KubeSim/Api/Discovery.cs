using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Api;

/// <summary>The discovery documents kubectl and KubernetesClient read: /version, /api, /apis and the per group-version resource lists.</summary>
internal static class Discovery
{
    public const string KubernetesVersion = "v1.35.0+k3s-sim";

    private static readonly string[] s_verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "35",
        ["gitVersion"] = KubernetesVersion,
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.25.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1:6443" }),
    };

    public static JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(ResourceCatalog.Groups.Select(g => (JsonNode)Group(g.Group, g.Version)).ToArray()),
    };

    public static JsonObject? Group(string group)
    {
        var match = ResourceCatalog.Groups.FirstOrDefault(g => g.Group == group);
        if (match.Group is null)
        {
            return null;
        }

        var document = Group(match.Group, match.Version);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    public static JsonObject? ResourceList(string group, string version)
    {
        var kinds = ResourceCatalog.InGroupVersion(group, version).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var kind in kinds)
        {
            var resource = new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray(s_verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (kind.ShortNames.Length > 0)
            {
                resource["shortNames"] = new JsonArray(kind.ShortNames.Select(s => (JsonNode)s).ToArray());
            }

            if (kind == ResourceCatalog.Pods || kind == ResourceCatalog.Services || kind == ResourceCatalog.StatefulSets || kind == ResourceCatalog.Jobs)
            {
                resource["categories"] = new JsonArray("all");
            }

            resources.Add(resource);
            if (kind.HasStatusSubresource)
            {
                resources.Add(Subresource(kind, "status", ["get", "patch", "update"]));
            }

            if (kind == ResourceCatalog.Pods)
            {
                resources.Add(Subresource(kind, "log", ["get"]));
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = kinds[0].ApiVersion,
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceKind kind, string name, string[] verbs) => new()
    {
        ["name"] = $"{kind.Plural}/{name}",
        ["singularName"] = "",
        ["namespaced"] = kind.Namespaced,
        ["kind"] = name == "log" ? "Pod" : kind.Kind,
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray()),
    };

    private static JsonObject Group(string group, string version)
    {
        var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(groupVersion),
            ["preferredVersion"] = groupVersion.DeepClone(),
        };
    }
}
