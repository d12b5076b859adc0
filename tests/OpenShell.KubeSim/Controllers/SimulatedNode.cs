using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>The single Ready node every pod is scheduled to, named after the host like k3s does.</summary>
internal static class SimulatedNode
{
    public const string InternalIp = "10.0.0.10";

    public static string Name { get; } = Sanitize(Environment.MachineName);

    public static void Create(ObjectStore store)
    {
        var now = Json.Now();
        var ready = new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady", ["message"] = "kubelet is posting ready status", ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now };
        var capacity = new JsonObject { ["cpu"] = "2", ["memory"] = "4Gi", ["pods"] = "110", ["ephemeral-storage"] = "20Gi" };
        store.Create(ResourceCatalog.Nodes, null, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = Name,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/hostname"] = Name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["node-role.kubernetes.io/control-plane"] = "true",
                },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = "10.42.0.0/24" },
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(ready),
                ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = InternalIp }, new JsonObject { ["type"] = "Hostname", ["address"] = Name }),
                ["capacity"] = capacity,
                ["allocatable"] = capacity.DeepClone(),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = Discovery.KubernetesVersion,
                    ["containerRuntimeVersion"] = "containerd://simulated",
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                    ["osImage"] = "Kubernetes API simulator",
                },
            },
        });
    }

    private static string Sanitize(string host)
    {
        var name = new string(host.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray()).Trim('-');
        return name.Length == 0 ? "k3s-sim" : name;
    }
}
