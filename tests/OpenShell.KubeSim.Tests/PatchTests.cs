using k8s;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>Each patch type KubernetesClient sends: merge, strategic merge, JSON patch and server-side apply.</summary>
public sealed class PatchTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Merge_patch_merges_maps_replaces_lists_and_null_removes()
    {
        var name = TestNames.Unique("merge");
        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" } }, "default");
        var patched = await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"drop":null,"add":"3"}}""", V1Patch.PatchType.MergePatch), name, "default");
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["add"] = "3" }, patched.Data);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_and_env_by_name()
    {
        var sts = await CreateStatefulSetAsync();
        var patch = """
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","image":"app:2","env":[{"name":"B","value":"b2"},{"name":"C","value":"c"}]},
              {"name":"sidecar","$patch":"delete"}
            ]}}}}
            """;
        var patched = await sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), sts, "default");
        var container = Assert.Single(patched.Spec.Template.Spec.Containers);
        Assert.Equal("app:2", container.Image);
        Assert.Equal(["A=a", "B=b2", "C=c"], container.Env.Select(e => $"{e.Name}={e.Value}"));
        Assert.Equal(2, patched.Metadata.Generation);
    }

    [Fact]
    public async Task Json_patch_applies_operations_and_a_failed_test_is_422()
    {
        var sts = await CreateStatefulSetAsync();
        var patch = """
            [{"op":"test","path":"/spec/replicas","value":1},
             {"op":"replace","path":"/spec/replicas","value":3},
             {"op":"add","path":"/metadata/labels/patched","value":"json"},
             {"op":"remove","path":"/spec/template/spec/containers/1"}]
            """;
        var patched = await sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), sts, "default");
        Assert.Equal(3, patched.Spec.Replicas);
        Assert.Equal("json", patched.Metadata.Labels["patched"]);
        Assert.Single(patched.Spec.Template.Spec.Containers);

        await StatusAssert.FailsWithAsync(422, "Invalid", () => sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("""[{"op":"test","path":"/spec/replicas","value":1}]""", V1Patch.PatchType.JsonPatch), sts, "default"));
    }

    [Fact]
    public async Task Apply_patch_creates_then_updates()
    {
        var name = TestNames.Unique("apply");
        // KubernetesClient sends apply patches as JSON (a subset of YAML) with Content-Type application/apply-patch+yaml.
        var yaml = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"mode":"first"}}""";
        var created = await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(yaml, V1Patch.PatchType.ApplyPatch), name, "default", fieldManager: "test");
        Assert.Equal("first", created.Data["mode"]);

        var updated = await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(yaml.Replace("first", "second", StringComparison.Ordinal), V1Patch.PatchType.ApplyPatch), name, "default", fieldManager: "test");
        Assert.Equal("second", updated.Data["mode"]);
        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);
    }

    [Fact]
    public async Task Status_subresource_updates_only_status_and_main_updates_keep_it()
    {
        var sts = await CreateStatefulSetAsync();
        await Eventually.WaitForAsync(() => sim.Client.AppsV1.ReadNamespacedStatefulSetAsync(sts, "default"), s => s.Status?.ReadyReplicas == 1, "the rollout");
        var patched = await sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch("""{"status":{"readyReplicas":0}}""", V1Patch.PatchType.MergePatch), sts, "default");
        Assert.Equal(1, patched.Status.ReadyReplicas); // the main resource ignores status
        var label = await sim.Client.AppsV1.PatchNamespacedStatefulSetStatusAsync(new V1Patch("""{"metadata":{"labels":{"x":"y"}},"status":{"collisionCount":7}}""", V1Patch.PatchType.MergePatch), sts, "default");
        Assert.Equal(7, label.Status.CollisionCount);
        Assert.False(label.Metadata.Labels.ContainsKey("x")); // the status subresource ignores the rest
    }

    private async Task<string> CreateStatefulSetAsync()
    {
        var name = TestNames.Unique("patch");
        var labels = new Dictionary<string, string> { ["app"] = name };
        await sim.Client.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string>() },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 1,
                ServiceName = name,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container { Name = "app", Image = "app:1", Env = [new V1EnvVar { Name = "A", Value = "a" }, new V1EnvVar { Name = "B", Value = "b" }] },
                            new V1Container { Name = "sidecar", Image = "sidecar:1" },
                        ],
                    },
                },
            },
        }, "default");
        return name;
    }
}
