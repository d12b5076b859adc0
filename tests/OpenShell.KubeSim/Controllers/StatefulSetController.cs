using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Controllers;

/// <summary>
/// Models the StatefulSet controller: a new generation is observed at once (observedGeneration, updateRevision =
/// <c>NAME-HASH(spec.template)</c>, updatedReplicas 0 when the template changed); after
/// <see cref="KubeSimOptions.RolloutDelay"/> pods <c>NAME-0..N-1</c> are (re)created at the new revision (an old pod is
/// deleted first and its successor created once it has terminated), and once they run the rollout converges
/// (currentRevision = updateRevision, ready/current/updated/available = replicas).
/// <see cref="KubeSimFaults.NeverConverge"/> holds rollouts before they converge.
/// </summary>
internal sealed class StatefulSetController(ObjectStore store, KubeSimOptions options, KubeSimFaults faults, BackgroundWork work) : IController
{
    private const string RevisionLabel = "controller-revision-hash";

    public void OnChange(StoredEvent change)
    {
        if (change.Kind != ResourceCatalog.StatefulSets)
        {
            return;
        }

        var ns = change.Namespace;
        var name = change.Name;
        var key = $"sts/{ns}/{name}";
        if (change.Type == StoredEvent.Deleted)
        {
            work.Cancel(key);
            return;
        }

        var sts = change.Object;
        var generation = Json.Long(sts["metadata"]?["generation"]) ?? 1;
        var revision = Revision(sts);
        var replicas = Json.Long(Json.At(sts, "spec.replicas")) ?? 1;
        var status = sts["status"] as JsonObject;
        if (Json.Long(status?["observedGeneration"]) != generation || Json.Str(status?["updateRevision"]) != revision)
        {
            store.Update(ResourceCatalog.StatefulSets, ns, name, current =>
            {
                var next = Json.Child(current, "status");
                var templateChanged = Json.Str(next["updateRevision"]) is { } previous && previous != revision;
                next["observedGeneration"] = generation;
                next["updateRevision"] = revision;
                next["currentRevision"] ??= revision;
                next["replicas"] ??= 0;
                next["readyReplicas"] ??= 0;
                next["currentReplicas"] ??= 0;
                next["availableReplicas"] ??= 0;
                next["collisionCount"] ??= 0;
                if (templateChanged || next["updatedReplicas"] is null)
                {
                    next["updatedReplicas"] = 0;
                }

                return current;
            }, statusOnly: true);
            return;
        }

        var converged = Json.Str(status?["currentRevision"]) == revision
            && Json.Long(status?["replicas"]) == replicas
            && Json.Long(status?["readyReplicas"]) == replicas
            && Json.Long(status?["updatedReplicas"]) == replicas
            && Json.Long(status?["currentReplicas"]) == replicas;
        if (converged || work.IsPending(key))
        {
            return;
        }

        work.Schedule(key, options.RolloutDelay, ct => ConvergeAsync(ns, name, generation, revision, ct));
    }

    /// <summary>Re-examines every StatefulSet (after a fault that held rollouts is cleared).</summary>
    public void Resync()
    {
        foreach (var sts in store.List(ResourceCatalog.StatefulSets, null).Items)
        {
            OnChange(new StoredEvent(StoredEvent.Modified, ResourceCatalog.StatefulSets, sts, null, 0));
        }
    }

    public static string Revision(JsonObject sts)
    {
        var template = Json.At(sts, "spec.template")?.ToJsonString() ?? "";
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(template)))[..10].ToLowerInvariant();
        return $"{Json.Name(sts)}-{hash}";
    }

    private async Task ConvergeAsync(string ns, string name, long generation, string revision, CancellationToken ct)
    {
        while (faults.RolloutsNeverConverge)
        {
            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        var sts = store.Get(ResourceCatalog.StatefulSets, ns, name);
        if (sts is null || RescheduleIfNewer(ns, name, generation))
        {
            return;
        }

        var replicas = Json.Long(Json.At(sts, "spec.replicas")) ?? 1;
        var uid = Json.Str(sts["metadata"]?["uid"]);
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            var podName = $"{name}-{ordinal}";
            var existing = store.Get(ResourceCatalog.Pods, ns, podName);
            if (existing is not null && Json.Str(existing["metadata"]?["labels"]?[RevisionLabel]) == revision)
            {
                continue;
            }

            if (existing is not null)
            {
                // The pod's name is taken until the old pod has terminated (a kubelet ends its delete once its containers
                // stopped), so the new pod starts only then, as the StatefulSet controller does.
                DeleteGracefully(ns, podName);
                while (store.Get(ResourceCatalog.Pods, ns, podName) is not null)
                {
                    if (RescheduleIfNewer(ns, name, generation))
                    {
                        return;
                    }

                    await Task.Delay(20, ct).ConfigureAwait(false);
                }
            }

            store.Create(ResourceCatalog.Pods, ns, PodFor(sts, ordinal, revision, uid));
        }

        foreach (var pod in OwnedPods(ns, uid))
        {
            if (Json.Long(pod["metadata"]?["labels"]?["apps.kubernetes.io/pod-index"]) >= replicas)
            {
                DeleteGracefully(ns, Json.Name(pod));
            }
        }

        while (OwnedPods(ns, uid).Any(p => !IsRunningAndReady(p) || Json.IsTerminating(p)))
        {
            // A newer template does not wait for pods of this one to become ready (they may never be).
            if (RescheduleIfNewer(ns, name, generation))
            {
                return;
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        if (RescheduleIfNewer(ns, name, generation))
        {
            return;
        }

        store.Update(ResourceCatalog.StatefulSets, ns, name, current =>
        {
            if (Json.Long(current["metadata"]?["generation"]) != generation)
            {
                return current;
            }

            var status = Json.Child(current, "status");
            status["observedGeneration"] = generation;
            status["replicas"] = replicas;
            status["readyReplicas"] = replicas;
            status["currentReplicas"] = replicas;
            status["updatedReplicas"] = replicas;
            status["availableReplicas"] = replicas;
            status["currentRevision"] = revision;
            status["updateRevision"] = revision;
            return current;
        }, statusOnly: true);
    }

    /// <summary>
    /// Starts the rollout of a generation newer than <paramref name="generation"/>, if there is one: changes that arrived
    /// while this rollout was pending were skipped, so nothing else would.
    /// </summary>
    private bool RescheduleIfNewer(string ns, string name, long generation)
    {
        var sts = store.Get(ResourceCatalog.StatefulSets, ns, name);
        if (sts is null || Json.Long(sts["metadata"]?["generation"]) is not { } current || current == generation)
        {
            return false;
        }

        var revision = Revision(sts);
        work.Schedule($"sts/{ns}/{name}", options.RolloutDelay, ct => ConvergeAsync(ns, name, current, revision, ct));
        return true;
    }

    private void DeleteGracefully(string ns, string podName)
    {
        try
        {
            store.Delete(ResourceCatalog.Pods, ns, podName);
        }
        catch (KubeApiException e) when (e.Code == 404)
        {
            // Gone meanwhile.
        }
    }

    private static bool IsRunningAndReady(JsonObject pod) =>
        Json.Str(Json.At(pod, "status.phase")) == "Running"
        && (Json.At(pod, "status.conditions") as JsonArray)?.OfType<JsonObject>().Any(c => Json.Str(c["type"]) == "Ready" && Json.Str(c["status"]) == "True") == true;

    private IEnumerable<JsonObject> OwnedPods(string ns, string? uid) =>
        store.List(ResourceCatalog.Pods, ns).Items
            .Where(p => p["metadata"]?["ownerReferences"] is JsonArray owners && owners.Any(o => Json.Str(o?["uid"]) == uid));

    private static JsonObject PodFor(JsonObject sts, int ordinal, string revision, string? uid)
    {
        var name = Json.Name(sts);
        var podName = $"{name}-{ordinal}";
        var template = (Json.At(sts, "spec.template")?.DeepClone() as JsonObject) ?? [];
        var metadata = Json.Child(template, "metadata");
        var labels = Json.Child(metadata, "labels");
        labels[RevisionLabel] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = podName;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
        metadata["name"] = podName;
        metadata.Remove("namespace");
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["name"] = name,
            ["uid"] = uid,
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        var spec = Json.Child(template, "spec");
        spec["hostname"] = podName;
        if (Json.Str(Json.At(sts, "spec.serviceName")) is { Length: > 0 } serviceName)
        {
            spec["subdomain"] = serviceName;
        }

        return template;
    }
}
