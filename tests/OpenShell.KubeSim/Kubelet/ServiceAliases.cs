using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// Cluster DNS without a DNS server: a pod joins the network with an alias per Service that selects it
/// (<c>svc</c>, <c>svc.ns</c>, <c>svc.ns.svc</c>, <c>svc.ns.svc.cluster.local</c>), plus its own
/// <c>hostname.subdomain...</c> names when it has a subdomain (StatefulSet pods behind a headless Service).
/// </summary>
internal static class ServiceAliases
{
    public static IReadOnlyList<string> For(ObjectStore store, JsonObject pod)
    {
        var ns = Json.Namespace(pod);
        var labels = Json.Labels(pod);
        var aliases = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var service in store.List(ResourceCatalog.Services, ns).Items.Where(s => Selects(s, labels)))
        {
            AddNames(aliases, Json.Name(service), ns);
        }

        if (Json.Str(Json.At(pod, "spec.subdomain")) is { Length: > 0 } subdomain)
        {
            AddNames(aliases, $"{Json.Str(Json.At(pod, "spec.hostname")) ?? Json.Name(pod)}.{subdomain}", ns);
        }

        return [.. aliases];
    }

    /// <summary>True when the Service's selector is non-empty and every pair is among the pod's labels.</summary>
    public static bool Selects(JsonObject service, IReadOnlyDictionary<string, string> labels) =>
        Json.At(service, "spec.selector") is JsonObject selector && selector.Count > 0
        && selector.All(p => labels.TryGetValue(p.Key, out var value) && value == Json.Str(p.Value));

    private static void AddNames(SortedSet<string> aliases, string name, string ns)
    {
        aliases.Add(name);
        aliases.Add($"{name}.{ns}");
        aliases.Add($"{name}.{ns}.svc");
        aliases.Add($"{name}.{ns}.svc.cluster.local");
    }
}
