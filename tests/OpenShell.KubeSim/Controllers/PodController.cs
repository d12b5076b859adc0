using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>
/// The scheduler: a Pending pod is bound to the node. Without a kubelet that runs containers it is also the kubelet: after
/// <see cref="KubeSimOptions.PodStartDelay"/> the pod is Running and Ready (nothing runs); with one, binding is all it does.
/// </summary>
internal sealed class PodController(ObjectStore store, KubeSimOptions options, BackgroundWork work, bool runsContainers) : IController
{
    private int _nextIp = 1;

    public void OnChange(StoredEvent change)
    {
        if (change.Kind != ResourceCatalog.Pods)
        {
            return;
        }

        var key = "pod/" + Json.Str(change.Object["metadata"]?["uid"]);
        if (change.Type == StoredEvent.Deleted)
        {
            work.Cancel(key);
            return;
        }

        if (Json.Str(Json.At(change.Object, "status.phase")) != "Pending" || work.IsPending(key))
        {
            return;
        }

        var ns = change.Namespace;
        var name = change.Name;
        var uid = Json.Str(change.Object["metadata"]?["uid"]);
        if (runsContainers)
        {
            if (Json.Str(Json.At(change.Object, "spec.nodeName")) is null)
            {
                store.Update(ResourceCatalog.Pods, ns, name, pod =>
                {
                    Json.Child(pod, "spec")["nodeName"] = SimulatedNode.Name;
                    return pod;
                });
            }

            return;
        }

        work.Schedule(key, options.PodStartDelay, _ =>
        {
            if (Json.Str(store.Get(ResourceCatalog.Pods, ns, name)?["metadata"]?["uid"]) != uid)
            {
                return Task.CompletedTask;
            }

            store.Update(ResourceCatalog.Pods, ns, name, pod =>
            {
                Json.Child(pod, "spec")["nodeName"] ??= SimulatedNode.Name;
                return pod;
            });
            store.Update(ResourceCatalog.Pods, ns, name, pod => { pod["status"] = RunningStatus(pod); return pod; }, statusOnly: true);
            return Task.CompletedTask;
        });
    }

    private JsonObject RunningStatus(JsonObject pod)
    {
        var now = Json.Now();
        var ip = $"10.42.0.{(Interlocked.Increment(ref _nextIp) % 250) + 2}";
        var conditions = new JsonArray();
        foreach (var type in new[] { "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled" })
        {
            conditions.Add(new JsonObject { ["type"] = type, ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = now });
        }

        var containerStatuses = new JsonArray();
        foreach (var container in (Json.At(pod, "spec.containers") as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var image = Json.Str(container["image"]) ?? "";
            containerStatuses.Add(new JsonObject
            {
                ["name"] = Json.Str(container["name"]),
                ["image"] = image,
                ["imageID"] = image,
                ["containerID"] = "containerd://" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant(),
                ["ready"] = true,
                ["started"] = true,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
            });
        }

        return new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = conditions,
            ["hostIP"] = SimulatedNode.InternalIp,
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = SimulatedNode.InternalIp }),
            ["podIP"] = ip,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }),
            ["startTime"] = now,
            ["qosClass"] = "BestEffort",
            ["containerStatuses"] = containerStatuses,
        };
    }
}
