using k8s;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>The controllers that model k3s: StatefulSet rollouts, pods, jobs, HelmCharts, namespaces and garbage collection.</summary>
public sealed class ControllerTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task StatefulSet_converges_and_a_template_change_rolls_out_a_new_revision()
    {
        var ns = await NewNamespaceAsync();
        await sim.Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("web", "web:1", replicas: 2), ns);
        var first = await WaitConvergedAsync(ns, "web");
        Assert.Equal(2, first.Status.ReadyReplicas);
        Assert.Equal(1, first.Status.ObservedGeneration);
        await AssertPodsAsync(ns, "web", first.Status.UpdateRevision, "web:1", 2);

        var patched = await sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"web:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", ns);
        Assert.Equal(2, patched.Metadata.Generation);
        var second = await WaitConvergedAsync(ns, "web", generation: 2);
        Assert.NotEqual(first.Status.UpdateRevision, second.Status.UpdateRevision);
        await AssertPodsAsync(ns, "web", second.Status.UpdateRevision, "web:2", 2);

        await sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "web", ns);
        await WaitConvergedAsync(ns, "web", generation: 3);
        await AssertPodsAsync(ns, "web", second.Status.UpdateRevision, "web:2", 1);
    }

    [Fact]
    public async Task NeverConverge_holds_a_rollout_until_cleared()
    {
        var ns = await NewNamespaceAsync();
        await sim.Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("held", "held:1"), ns);
        await WaitConvergedAsync(ns, "held");

        sim.Server.Faults.NeverConverge(true);
        try
        {
            await sim.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch("""{"spec":{"template":{"metadata":{"annotations":{"restartedAt":"now"}}}}}""", V1Patch.PatchType.MergePatch), "held", ns);
            var observed = await Eventually.WaitForAsync(() => sim.Client.AppsV1.ReadNamespacedStatefulSetAsync("held", ns), s => s.Status?.ObservedGeneration == 2, "the new generation to be observed");
            Assert.NotEqual(observed.Status.CurrentRevision, observed.Status.UpdateRevision);
            await Task.Delay(500); // many rollout delays
            var still = await sim.Client.AppsV1.ReadNamespacedStatefulSetAsync("held", ns);
            Assert.NotEqual(still.Status.CurrentRevision, still.Status.UpdateRevision);
            Assert.Equal(0, still.Status.UpdatedReplicas);
        }
        finally
        {
            sim.Server.Faults.NeverConverge(false);
        }

        await WaitConvergedAsync(ns, "held", generation: 2);
    }

    [Fact]
    public async Task Pod_moves_from_Pending_to_Running_and_serves_a_log()
    {
        var ns = await NewNamespaceAsync();
        var created = await sim.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "solo" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox:1" }] },
        }, ns);
        Assert.Equal("Pending", created.Status.Phase);

        var running = await Eventually.WaitForAsync(() => sim.Client.CoreV1.ReadNamespacedPodAsync("solo", ns), p => p.Status.Phase == "Running", "the pod to run");
        Assert.False(string.IsNullOrEmpty(running.Status.PodIP));
        Assert.False(string.IsNullOrEmpty(running.Spec.NodeName));
        Assert.Contains(running.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        Assert.True(Assert.Single(running.Status.ContainerStatuses).Ready);

        var nodes = await sim.Client.CoreV1.ListNodeAsync();
        Assert.Contains(nodes.Items, n => n.Metadata.Name == running.Spec.NodeName);

        using var log = await sim.Client.CoreV1.ReadNamespacedPodLogAsync("solo", ns);
        using var reader = new StreamReader(log);
        Assert.Contains("busybox:1", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_completes()
    {
        var ns = await NewNamespaceAsync();
        await sim.Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "once" },
            Spec = new V1JobSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "busybox:1" }] } } },
        }, ns);
        var done = await Eventually.WaitForAsync(() => sim.Client.BatchV1.ReadNamespacedJobAsync("once", ns), j => j.Status?.Succeeded == 1, "the job to succeed");
        Assert.Contains(done.Status.Conditions, c => c.Type == "Complete" && c.Status == "True");
        Assert.NotNull(done.Status.CompletionTime);
    }

    [Fact]
    public async Task HelmChart_runs_an_install_job_and_sets_the_openshell_image_from_its_values()
    {
        var target = TestNames.Unique("openshell");
        var chartName = TestNames.Unique("chart");
        using var charts = new GenericClient(sim.Client, "helm.cattle.io", "v1", "helmcharts", disposeClient: false);
        await charts.CreateNamespacedAsync(new HelmChart
        {
            Metadata = new V1ObjectMeta { Name = chartName },
            Spec = new HelmChartSpec
            {
                Chart = "https://%{KUBERNETES_API}%/static/charts/openshell.tgz",
                TargetNamespace = target,
                ValuesContent = "image:\n  repository: registry.local/openshell/gateway\n  digest: sha256:aaaa\n  tag: ignored\n",
            },
        }, "kube-system");

        var job = await Eventually.WaitForAsync(() => sim.Client.BatchV1.ListNamespacedJobAsync("kube-system", labelSelector: $"helmcharts.helm.cattle.io/chart={chartName}"), l => l.Items.Count == 1, "the install job");
        Assert.Equal($"helm-install-{chartName}", job.Items[0].Metadata.Name);
        var chart = await charts.ReadNamespacedAsync<HelmChart>("kube-system", chartName);
        Assert.Equal($"helm-install-{chartName}", chart.Status?.JobName);

        var sts = await WaitConvergedAsync(target, "openshell");
        Assert.Equal("registry.local/openshell/gateway@sha256:aaaa", sts.Spec.Template.Spec.Containers[0].Image);

        await charts.PatchNamespacedAsync<HelmChart>(new V1Patch("""{"spec":{"valuesContent":"image:\n  repository: registry.local/openshell/gateway\n  tag: dev-2\n"}}""", V1Patch.PatchType.MergePatch), "kube-system", chartName);
        var updated = await Eventually.WaitForAsync(() => sim.Client.AppsV1.ReadNamespacedStatefulSetAsync("openshell", target), s => s.Spec.Template.Spec.Containers[0].Image == "registry.local/openshell/gateway:dev-2", "the new image");
        var rolled = await WaitConvergedAsync(target, "openshell", generation: updated.Metadata.Generation);
        Assert.NotEqual(sts.Status.UpdateRevision, rolled.Status.UpdateRevision);

        await charts.DeleteNamespacedAsync<V1Status>("kube-system", chartName);
        await Eventually.WaitForAsync(() => sim.Client.AppsV1.ListNamespacedStatefulSetAsync(target), l => l.Items.Count == 0, "the release to be uninstalled");
        Assert.Empty((await sim.Client.BatchV1.ListNamespacedJobAsync("kube-system", labelSelector: $"helmcharts.helm.cattle.io/chart={chartName}")).Items);
    }

    [Fact]
    public async Task New_namespace_gets_its_default_service_account_and_deleting_it_removes_its_objects()
    {
        var ns = await NewNamespaceAsync();
        await Eventually.WaitForAsync(() => sim.Client.CoreV1.ListNamespacedServiceAccountAsync(ns), l => l.Items.Any(s => s.Metadata.Name == "default"), "the default service account");
        await sim.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "gone" } }, ns);

        await sim.Client.CoreV1.DeleteNamespaceAsync(ns);
        await StatusAssert.FailsWithAsync(404, "NotFound", () => sim.Client.CoreV1.ReadNamespacedSecretAsync("gone", ns));
    }

    [Fact]
    public async Task Deleting_a_StatefulSet_deletes_its_pods()
    {
        var ns = await NewNamespaceAsync();
        await sim.Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("owner", "o:1", replicas: 2), ns);
        await WaitConvergedAsync(ns, "owner");
        await sim.Client.AppsV1.DeleteNamespacedStatefulSetAsync("owner", ns);
        Assert.Empty((await sim.Client.CoreV1.ListNamespacedPodAsync(ns)).Items);
    }

    private async Task<string> NewNamespaceAsync()
    {
        var ns = TestNames.Unique("ctl");
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        return ns;
    }

    private Task<V1StatefulSet> WaitConvergedAsync(string ns, string name, long? generation = 1) =>
        Eventually.WaitForAsync(
            () => sim.Client.AppsV1.ReadNamespacedStatefulSetAsync(name, ns),
            s => s.Status is { } st && st.ObservedGeneration == (generation ?? s.Metadata.Generation) && s.Metadata.Generation == st.ObservedGeneration
                && st.CurrentRevision == st.UpdateRevision && st.ReadyReplicas == s.Spec.Replicas && st.UpdatedReplicas == s.Spec.Replicas,
            $"statefulset {ns}/{name} to converge");

    private async Task AssertPodsAsync(string ns, string name, string revision, string image, int count)
    {
        var pods = (await sim.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"app={name}")).Items.OrderBy(p => p.Metadata.Name).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{name}-{i}"), pods.Select(p => p.Metadata.Name));
        Assert.All(pods, p =>
        {
            Assert.Equal("Running", p.Status.Phase);
            Assert.Equal(revision, p.Metadata.Labels["controller-revision-hash"]);
            Assert.Equal(image, p.Spec.Containers[0].Image);
        });
    }

    private static V1StatefulSet StatefulSet(string name, string image, int replicas = 1)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1StatefulSetSpec
            {
                Replicas = replicas,
                ServiceName = name,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = image }] },
                },
            },
        };
    }
}
