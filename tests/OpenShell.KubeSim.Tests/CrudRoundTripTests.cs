using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>Create, read, list, update (with a stale-version conflict), merge-patch and delete, for every served kind, through KubernetesClient.</summary>
public sealed class CrudRoundTripTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    public static TheoryData<string> Kinds { get; } =
    [
        "namespaces", "nodes", "secrets", "configmaps", "services", "serviceaccounts", "pods", "events",
        "statefulsets", "jobs", "roles", "rolebindings", "clusterroles", "clusterrolebindings", "helmcharts",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_verb_round_trips(string plural)
    {
        var ns = TestNames.Unique("crud");
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        var name = TestNames.Unique(plural[..3]);
        var labels = new Dictionary<string, string> { ["case"] = "round-trip" };
        var meta = new V1ObjectMeta { Name = name, Labels = labels };
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox:1" }], RestartPolicy = "Never" },
        };
        var subject = new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = ns };
        var roleRef = (string kind) => new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = kind, Name = "view" };

        switch (plural)
        {
            case "namespaces": await RoundTripAsync("", "v1", plural, null, new V1Namespace { Metadata = meta }); break;
            case "nodes": await RoundTripAsync("", "v1", plural, null, new V1Node { Metadata = meta }); break;
            case "secrets": await RoundTripAsync("", "v1", plural, ns, new V1Secret { Metadata = meta, StringData = new Dictionary<string, string> { ["k"] = "v" } }); break;
            case "configmaps": await RoundTripAsync("", "v1", plural, ns, new V1ConfigMap { Metadata = meta, Data = new Dictionary<string, string> { ["k"] = "v" } }); break;
            case "services": await RoundTripAsync("", "v1", plural, ns, new V1Service { Metadata = meta, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }); break;
            case "serviceaccounts": await RoundTripAsync("", "v1", plural, ns, new V1ServiceAccount { Metadata = meta }); break;
            case "pods": await RoundTripAsync("", "v1", plural, ns, new V1Pod { Metadata = meta, Spec = template.Spec }); break;
            case "events": await RoundTripAsync("", "v1", plural, ns, new Corev1Event { Metadata = meta, InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "x" }, Reason = "Test", Message = "hello" }); break;
            case "statefulsets": await RoundTripAsync("apps", "v1", plural, ns, new V1StatefulSet { Metadata = meta, Spec = new V1StatefulSetSpec { Selector = new V1LabelSelector { MatchLabels = template.Metadata.Labels }, Template = template, ServiceName = name } }); break;
            case "jobs": await RoundTripAsync("batch", "v1", plural, ns, new V1Job { Metadata = meta, Spec = new V1JobSpec { Template = template } }); break;
            case "roles": await RoundTripAsync("rbac.authorization.k8s.io", "v1", plural, ns, new V1Role { Metadata = meta, Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }] }); break;
            case "rolebindings": await RoundTripAsync("rbac.authorization.k8s.io", "v1", plural, ns, new V1RoleBinding { Metadata = meta, RoleRef = roleRef("Role"), Subjects = [subject] }); break;
            case "clusterroles": await RoundTripAsync("rbac.authorization.k8s.io", "v1", plural, null, new V1ClusterRole { Metadata = meta, Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["list"] }] }); break;
            case "clusterrolebindings": await RoundTripAsync("rbac.authorization.k8s.io", "v1", plural, null, new V1ClusterRoleBinding { Metadata = meta, RoleRef = roleRef("ClusterRole"), Subjects = [subject] }); break;
            case "helmcharts": await RoundTripAsync("helm.cattle.io", "v1", plural, ns, new HelmChart { Metadata = meta, Spec = new HelmChartSpec { Chart = "openshell", TargetNamespace = ns } }); break;
            default: Assert.Fail($"no case for {plural}"); break;
        }
    }

    private async Task RoundTripAsync<T>(string group, string version, string plural, string? ns, T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        using var generic = new GenericClient(sim.Client, group, version, plural, disposeClient: false);
        var name = obj.Metadata.Name;

        var created = ns is null ? await generic.CreateAsync(obj) : await generic.CreateNamespacedAsync(obj, ns);
        Assert.Equal(name, created.Metadata.Name);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(ns, created.Metadata.NamespaceProperty);

        Task<T> ReadAsync() => ns is null ? generic.ReadAsync<T>(name) : generic.ReadNamespacedAsync<T>(ns, name);
        var read = await ReadAsync();
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);

        var list = ns is null ? await generic.ListAsync<ObjectList<T>>() : await generic.ListNamespacedAsync<ObjectList<T>>(ns);
        Assert.Contains(list.Items, i => i.Metadata.Name == name);

        // Update with a read-modify-write loop: controllers may touch the object (status) meanwhile.
        T updated;
        while (true)
        {
            var current = await ReadAsync();
            current.Metadata.Labels["step"] = "updated";
            try
            {
                updated = ns is null ? await generic.ReplaceAsync(current, name) : await generic.ReplaceNamespacedAsync(current, ns, name);
                break;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }
        }

        Assert.Equal("updated", updated.Metadata.Labels["step"]);
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));

        created.Metadata.Labels["step"] = "stale";
        await StatusAssert.FailsWithAsync(409, "Conflict", () => ns is null ? generic.ReplaceAsync(created, name) : generic.ReplaceNamespacedAsync(created, ns, name));

        var patch = new V1Patch("""{"metadata":{"annotations":{"patched":"yes"},"labels":{"step":null}}}""", V1Patch.PatchType.MergePatch);
        var patched = ns is null ? await generic.PatchAsync<T>(patch, name) : await generic.PatchNamespacedAsync<T>(patch, ns, name);
        Assert.Equal("yes", patched.Metadata.Annotations["patched"]);
        Assert.False(patched.Metadata.Labels.ContainsKey("step"));

        if (ns is null)
        {
            await generic.DeleteAsync<V1Status>(name);
        }
        else
        {
            await generic.DeleteNamespacedAsync<V1Status>(ns, name);
        }

        await StatusAssert.FailsWithAsync(404, "NotFound", ReadAsync);
    }
}
