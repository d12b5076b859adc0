using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>Records core/v1 Events about a pod from the <c>kubelet</c> component, as <c>kubectl describe</c> shows them.</summary>
internal sealed class PodEvents(ObjectStore store)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public void Record(JsonObject pod, string type, string reason, string message)
    {
        var now = Json.Now();
        try
        {
            store.Create(ResourceCatalog.Events, Json.Namespace(pod), new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"{Json.Name(pod)}.{Guid.NewGuid():N}"[..Math.Min(253, Json.Name(pod).Length + 17)] },
                ["involvedObject"] = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["name"] = Json.Name(pod),
                    ["namespace"] = Json.Namespace(pod),
                    ["uid"] = Json.Str(Json.At(pod, "metadata.uid")),
                },
                ["type"] = type,
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = Controllers.SimulatedNode.Name },
                ["reportingComponent"] = "kubelet",
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
            });
        }
        catch (KubeApiException)
        {
            // The namespace is gone with the pod: nothing to record against.
        }
    }
}
