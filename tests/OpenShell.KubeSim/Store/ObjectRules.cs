using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Store;

/// <summary>The per-kind defaults and validation the simulator applies on create and update (a small subset of the real API server's).</summary>
internal static partial class ObjectRules
{
    private static int s_nextServiceIp = 10;

    public static void ApplyDefaults(ResourceKind kind, JsonObject obj, bool creating)
    {
        var metadata = Json.Metadata(obj);
        if (kind == ResourceCatalog.Secrets)
        {
            obj["type"] ??= "Opaque";
            if (obj["stringData"] is JsonObject stringData)
            {
                var data = Json.Child(obj, "data");
                foreach (var (key, value) in stringData)
                {
                    data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Json.Str(value) ?? ""));
                }

                obj.Remove("stringData");
            }
        }
        else if (kind == ResourceCatalog.Namespaces)
        {
            Json.Child(metadata, "labels")["kubernetes.io/metadata.name"] = Json.Name(obj);
            Json.Child(obj, "spec")["finalizers"] ??= new JsonArray("kubernetes");
            Json.Child(obj, "status")["phase"] ??= "Active";
        }
        else if (kind == ResourceCatalog.Services)
        {
            var spec = Json.Child(obj, "spec");
            spec["type"] ??= "ClusterIP";
            spec["sessionAffinity"] ??= "None";
            if (creating && spec["clusterIP"] is null)
            {
                var ip = $"10.43.{Interlocked.Increment(ref s_nextServiceIp) / 250}.{s_nextServiceIp % 250 + 1}";
                spec["clusterIP"] = ip;
                spec["clusterIPs"] = new JsonArray(ip);
            }
        }
        else if (kind == ResourceCatalog.Pods)
        {
            var spec = Json.Child(obj, "spec");
            spec["restartPolicy"] ??= "Always";
            if (creating)
            {
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
            }
        }
        else if (kind == ResourceCatalog.StatefulSets)
        {
            var spec = Json.Child(obj, "spec");
            spec["replicas"] ??= 1;
            spec["podManagementPolicy"] ??= "OrderedReady";
            spec["revisionHistoryLimit"] ??= 10;
            var strategy = Json.Child(spec, "updateStrategy");
            strategy["type"] ??= "RollingUpdate";
            if (Json.Str(strategy["type"]) == "RollingUpdate")
            {
                Json.Child(strategy, "rollingUpdate")["partition"] ??= 0;
            }
        }
        else if (kind == ResourceCatalog.Jobs)
        {
            var spec = Json.Child(obj, "spec");
            spec["completions"] ??= 1;
            spec["parallelism"] ??= 1;
            spec["backoffLimit"] ??= 6;
        }
    }

    /// <summary>Throws a 422 <see cref="KubeApiException"/> naming every invalid field.</summary>
    public static void Validate(ResourceKind kind, JsonObject obj)
    {
        var name = Json.Name(obj);
        var causes = new List<(string, string, string)>();
        if (name.Length == 0)
        {
            causes.Add(("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"));
        }
        else if (kind == ResourceCatalog.Namespaces || kind == ResourceCatalog.Services
            ? !DnsLabel().IsMatch(name) || name.Length > 63
            : !DnsSubdomain().IsMatch(name) || name.Length > 253)
        {
            causes.Add(("metadata.name", "FieldValueInvalid", $"Invalid value: \"{name}\": a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        }

        if (kind == ResourceCatalog.Secrets && obj["data"] is JsonObject data)
        {
            foreach (var (key, value) in data)
            {
                if (Json.Str(value) is not { } encoded || !IsBase64(encoded))
                {
                    causes.Add(($"data[{key}]", "FieldValueInvalid", "Invalid value: illegal base64 data"));
                }
            }
        }
        else if (kind == ResourceCatalog.Pods && Json.At(obj, "spec.containers") is not JsonArray { Count: > 0 })
        {
            causes.Add(("spec.containers", "FieldValueRequired", "Required value"));
        }
        else if (kind == ResourceCatalog.StatefulSets || kind == ResourceCatalog.Jobs)
        {
            ValidateTemplate(kind, obj, causes);
        }

        if (causes.Count > 0)
        {
            throw KubeApiException.Invalid(kind, name, [.. causes]);
        }
    }

    private static void ValidateTemplate(ResourceKind kind, JsonObject obj, List<(string, string, string)> causes)
    {
        if (Json.At(obj, "spec.template.spec.containers") is not JsonArray { Count: > 0 })
        {
            causes.Add(("spec.template.spec.containers", "FieldValueRequired", "Required value"));
        }

        if (kind != ResourceCatalog.StatefulSets)
        {
            return;
        }

        if (Json.At(obj, "spec.selector") is not JsonObject selector)
        {
            causes.Add(("spec.selector", "FieldValueRequired", "Required value"));
            return;
        }

        var templateLabels = Json.At(obj, "spec.template.metadata.labels") as JsonObject;
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (Json.Str(templateLabels?[key]) != Json.Str(value))
                {
                    causes.Add(("spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: `selector` does not match template `labels`"));
                    return;
                }
            }
        }
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
