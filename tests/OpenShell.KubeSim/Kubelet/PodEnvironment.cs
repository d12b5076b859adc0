using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// A container's environment as the kubelet builds it: the API's <c>KUBERNETES_SERVICE_*</c>, then <c>envFrom</c>, then
/// <c>env</c> with <c>value</c> (with <c>$(VAR)</c> expansion), <c>secretKeyRef</c>, <c>configMapKeyRef</c> and
/// <c>fieldRef</c>. A missing required key is a <see cref="PodConfigException"/> (CreateContainerConfigError).
/// </summary>
internal static class PodEnvironment
{
    public static List<string> Build(ObjectStore store, JsonObject pod, JsonObject container, KubeletNode node, string podIp)
    {
        var ns = Json.Namespace(pod);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string name, string value)
        {
            if (env.TryAdd(name, value))
            {
                order.Add(name);
            }
            else
            {
                env[name] = value;
            }
        }

        var port = node.ApiPort.ToString(CultureInfo.InvariantCulture);
        Set("KUBERNETES_SERVICE_HOST", node.ApiHost);
        Set("KUBERNETES_SERVICE_PORT", port);
        Set("KUBERNETES_SERVICE_PORT_HTTPS", port);
        Set("KUBERNETES_PORT", $"tcp://{node.ApiHost}:{port}");

        foreach (var source in (container["envFrom"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var prefix = Json.Str(source["prefix"]) ?? "";
            var (kind, reference) = source["secretRef"] is JsonObject s ? (ResourceCatalog.Secrets, s) : (ResourceCatalog.ConfigMaps, source["configMapRef"] as JsonObject);
            if (reference is null)
            {
                continue;
            }

            var name = Json.Str(reference["name"]) ?? "";
            if (store.Get(kind, ns, name) is not { } obj)
            {
                if (reference["optional"]?.GetValue<bool>() == true)
                {
                    continue;
                }

                throw new PodConfigException($"{kind.Kind.ToLowerInvariant()} \"{name}\" not found");
            }

            foreach (var (key, value) in Data(kind, obj))
            {
                Set(prefix + key, value);
            }
        }

        foreach (var variable in (container["env"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var name = Json.Str(variable["name"]) ?? "";
            if (variable["valueFrom"] is not JsonObject from)
            {
                Set(name, Expand(Json.Str(variable["value"]) ?? "", env));
                continue;
            }

            if (Resolve(store, pod, ns, from, node, podIp) is { } value)
            {
                Set(name, value);
            }
        }

        return [.. order.Select(n => $"{n}={env[n]}")];
    }

    /// <summary>The decoded entries of a Secret's <c>data</c> or a ConfigMap's <c>data</c>.</summary>
    public static IEnumerable<(string Key, string Value)> Data(ResourceKind kind, JsonObject obj) =>
        (obj["data"] as JsonObject ?? []).Select(p => (p.Key, kind == ResourceCatalog.Secrets
            ? Encoding.UTF8.GetString(Convert.FromBase64String(Json.Str(p.Value) ?? ""))
            : Json.Str(p.Value) ?? ""));

    private static string? Resolve(ObjectStore store, JsonObject pod, string ns, JsonObject from, KubeletNode node, string podIp)
    {
        if (from["fieldRef"] is JsonObject field)
        {
            var path = Json.Str(field["fieldPath"]) ?? "";
            return path switch
            {
                "metadata.name" => Json.Name(pod),
                "metadata.namespace" => ns,
                "metadata.uid" => Json.Str(Json.At(pod, "metadata.uid")),
                "spec.nodeName" => Json.Str(Json.At(pod, "spec.nodeName")),
                "spec.serviceAccountName" => Json.Str(Json.At(pod, "spec.serviceAccountName")) ?? "default",
                "status.podIP" => podIp,
                "status.hostIP" => Controllers.SimulatedNode.InternalIp,
                _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) => Json.Str(Json.At(pod, "metadata.labels")?[path[17..^2]]),
                _ when path.StartsWith("metadata.annotations['", StringComparison.Ordinal) => Json.Str(Json.At(pod, "metadata.annotations")?[path[22..^2]]),
                _ => throw new PodConfigException($"unsupported fieldRef fieldPath \"{path}\""),
            };
        }

        var (kind, reference) = from["secretKeyRef"] is JsonObject s ? (ResourceCatalog.Secrets, s) : (ResourceCatalog.ConfigMaps, from["configMapKeyRef"] as JsonObject);
        if (reference is null)
        {
            return null; // resourceFieldRef and others: not modelled.
        }

        var name = Json.Str(reference["name"]) ?? "";
        var key = Json.Str(reference["key"]) ?? "";
        var optional = reference["optional"]?.GetValue<bool>() == true;
        var obj = store.Get(kind, ns, name);
        var value = obj is null ? null : Data(kind, obj).Where(e => e.Key == key).Select(e => e.Value).FirstOrDefault();
        if (value is null && !optional)
        {
            throw new PodConfigException(obj is null
                ? $"{kind.Kind.ToLowerInvariant()} \"{name}\" not found"
                : $"couldn't find key {key} in {kind.Kind} {ns}/{name}");
        }

        return value;
    }

    // Kubernetes' $(VAR) expansion over the variables defined so far; $$ escapes.
    private static string Expand(string value, Dictionary<string, string> env)
    {
        if (!value.Contains('$', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '(' && value.IndexOf(')', i) is var end and > 0
                && env.TryGetValue(value[(i + 2)..end], out var replacement))
            {
                result.Append(replacement);
                i = end;
            }
            else
            {
                result.Append(value[i]);
            }
        }

        return result.ToString();
    }
}
