using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>Every Job becomes active at once and succeeds after <see cref="KubeSimOptions.HelmJobDelay"/>; no pods are created for it.</summary>
internal sealed class JobController(ObjectStore store, KubeSimOptions options, BackgroundWork work) : IController
{
    public void OnChange(StoredEvent change)
    {
        if (change.Kind != ResourceCatalog.Jobs)
        {
            return;
        }

        var uid = Json.Str(change.Object["metadata"]?["uid"]);
        var key = "job/" + uid;
        if (change.Type == StoredEvent.Deleted)
        {
            work.Cancel(key);
            return;
        }

        if (Json.At(change.Object, "status.completionTime") is not null || work.IsPending(key))
        {
            return;
        }

        var ns = change.Namespace;
        var name = change.Name;
        if (Json.At(change.Object, "status.startTime") is null)
        {
            store.Update(ResourceCatalog.Jobs, ns, name, job =>
            {
                job["status"] = new JsonObject { ["active"] = 1, ["ready"] = 0, ["terminating"] = 0, ["startTime"] = Json.Now() };
                return job;
            }, statusOnly: true);
        }

        work.Schedule(key, options.HelmJobDelay, _ =>
        {
            if (Json.Str(store.Get(ResourceCatalog.Jobs, ns, name)?["metadata"]?["uid"]) != uid)
            {
                return Task.CompletedTask;
            }

            store.Update(ResourceCatalog.Jobs, ns, name, job =>
            {
                var now = Json.Now();
                var status = Json.Child(job, "status");
                status.Remove("active");
                status["succeeded"] = 1;
                status["ready"] = 0;
                status["completionTime"] = now;
                status["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "SuccessCriteriaMet", ["status"] = "True", ["lastProbeTime"] = now, ["lastTransitionTime"] = now },
                    new JsonObject { ["type"] = "Complete", ["status"] = "True", ["lastProbeTime"] = now, ["lastTransitionTime"] = now });
                return job;
            }, statusOnly: true);
            return Task.CompletedTask;
        });
    }

    public static bool IsComplete(JsonObject job) =>
        Json.At(job, "status.conditions") is JsonArray conditions
        && conditions.Any(c => Json.Str(c?["type"]) == "Complete" && Json.Str(c?["status"]) == "True");
}
