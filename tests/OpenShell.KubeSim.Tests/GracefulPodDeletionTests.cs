using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Tests;

/// <summary>
/// The API server's graceful pod deletion, as the store models it when a kubelet runs pods: which deletes only mark the
/// pod terminating, and how the kubelet's final delete ends them.
/// </summary>
public sealed class GracefulPodDeletionTests
{
    // (case, node name, phase, requested grace, pod's terminationGracePeriodSeconds, the grace it terminates with or null = gone at once)
    public static TheoryData<string, string?, string, long?, long?, long?> Deletes { get; } = new()
    {
        { "bound pod, the pod's own grace", "k3s-sim", "Running", null, 7, 7 },
        { "bound pod, the default 30 s", "k3s-sim", "Running", null, null, 30 },
        { "bound pod, the delete's grace wins", "k3s-sim", "Running", 3, 7, 3 },
        { "grace 0: a forced delete", "k3s-sim", "Running", 0, 7, null },
        { "a pod on no node", null, "Pending", null, 7, null },
        { "a pod that succeeded", "k3s-sim", "Succeeded", null, 7, null },
        { "a pod that failed", "k3s-sim", "Failed", null, 7, null },
    };

    [Theory]
    [MemberData(nameof(Deletes))]
    public void A_delete_terminates_or_removes_a_pod_as_the_API_server_does(string @case, string? node, string phase, long? requested, long? podGrace, long? expected)
    {
        var store = new ObjectStore { GracefulPodDeletion = true };
        var pod = CreatePod(store, node, phase, podGrace);

        var answer = store.Delete(ResourceCatalog.Pods, "default", "p", requested);

        var stored = store.Get(ResourceCatalog.Pods, "default", "p");
        if (expected is null)
        {
            Assert.True(stored is null, @case);
            return;
        }

        Assert.NotNull(stored);
        Assert.Equal(expected, Json.Long(Json.At(stored, "metadata.deletionGracePeriodSeconds")));
        Assert.Equal(expected, Json.Long(Json.At(answer, "metadata.deletionGracePeriodSeconds")));
        var deadline = DateTimeOffset.Parse(Json.Str(Json.At(stored, "metadata.deletionTimestamp"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(expected.Value - 2), TimeSpan.FromSeconds(expected.Value + 1));
        Assert.Equal(Json.Str(Json.At(pod, "metadata.uid")), Json.Str(Json.At(stored, "metadata.uid")));
    }

    [Fact]
    public void A_terminating_pod_keeps_its_name_until_the_final_delete_on_its_uid()
    {
        var store = new ObjectStore { GracefulPodDeletion = true };
        var pod = CreatePod(store, "k3s-sim", "Running", 30);
        var uid = Json.Str(Json.At(pod, "metadata.uid"))!;
        using var changes = store.Subscribe(fromRevision: store.Revision);

        store.Delete(ResourceCatalog.Pods, "default", "p");
        var again = store.Delete(ResourceCatalog.Pods, "default", "p", gracePeriodSeconds: 5);

        Assert.Equal(30, Json.Long(Json.At(again, "metadata.deletionGracePeriodSeconds"))); // a second delete changes nothing
        Assert.Equal(409, Assert.Throws<KubeApiException>(() => CreatePod(store, "k3s-sim", "Pending", 30)).Code);
        var updated = store.Update(ResourceCatalog.Pods, "default", "p", p =>
        {
            Json.Metadata(p).Remove("deletionTimestamp");
            Json.Metadata(p)["labels"] = new JsonObject { ["edited"] = "yes" };
            return p;
        });
        Assert.NotNull(Json.At(updated, "metadata.deletionTimestamp")); // only a delete sets it; an update cannot clear it
        var conflict = Assert.Throws<KubeApiException>(() => store.Delete(ResourceCatalog.Pods, "default", "p", gracePeriodSeconds: 0, uid: "another-uid"));
        Assert.Equal(409, conflict.Code);
        Assert.Contains("Precondition failed: UID in precondition: another-uid", conflict.Message, StringComparison.Ordinal);

        store.Delete(ResourceCatalog.Pods, "default", "p", gracePeriodSeconds: 0, uid: uid);

        Assert.Null(store.Get(ResourceCatalog.Pods, "default", "p"));
        Assert.True(changes.Reader.TryRead(out var terminating));
        Assert.Equal((StoredEvent.Modified, uid), (terminating.Type, Json.Str(Json.At(terminating.Object, "metadata.uid"))));
        Assert.NotNull(Json.At(terminating.Object, "metadata.deletionTimestamp"));
        var types = new List<string>();
        while (changes.Reader.TryRead(out var change))
        {
            types.Add(change.Type);
        }

        Assert.Equal([StoredEvent.Modified, StoredEvent.Deleted], types); // the update, then the final delete
        CreatePod(store, "k3s-sim", "Pending", 30); // the name is free
    }

    [Fact]
    public void Without_a_kubelet_a_delete_removes_a_bound_pod_at_once()
    {
        var store = new ObjectStore();
        CreatePod(store, "k3s-sim", "Running", 30);

        store.Delete(ResourceCatalog.Pods, "default", "p");

        Assert.Null(store.Get(ResourceCatalog.Pods, "default", "p"));
    }

    private static JsonObject CreatePod(ObjectStore store, string? node, string phase, long? grace)
    {
        if (store.Get(ResourceCatalog.Namespaces, null, "default") is null)
        {
            store.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } });
        }

        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox:1" }) };
        if (node is not null)
        {
            spec["nodeName"] = node;
        }

        if (grace is not null)
        {
            spec["terminationGracePeriodSeconds"] = grace;
        }

        var created = store.Create(ResourceCatalog.Pods, "default", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" }, ["spec"] = spec });
        return store.Update(ResourceCatalog.Pods, "default", "p", p => { p["status"] = new JsonObject { ["phase"] = phase }; return p; }, statusOnly: true) ?? created;
    }
}
