using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

#pragma warning disable CS0618 // The list-then-Watch<T, TList> form is obsolete in KubernetesClient but still used: keep it working.

/// <summary>Watches through KubernetesClient's <c>Watch&lt;T, TList&gt;</c>: live events, resuming from a resourceVersion, and label-filtered watches.</summary>
public sealed class WatchTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Watch_streams_added_modified_and_deleted()
    {
        var ns = await NewNamespaceAsync();
        var events = Channel.CreateUnbounded<(WatchEventType Type, V1ConfigMap Object)>();
        var response = sim.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(ns, watch: true);
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((type, item) => events.Writer.TryWrite((type, item)));

        // The namespace's kube-root-ca.crt arrives first as the initial state.
        Assert.Equal(("kube-root-ca.crt", WatchEventType.Added), await NextAsync(events, e => e.Object.Metadata.Name == "kube-root-ca.crt"));

        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "w" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns);
        await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"2"}}""", V1Patch.PatchType.MergePatch), "w", ns);
        await sim.Client.CoreV1.DeleteNamespacedConfigMapAsync("w", ns);

        Assert.Equal(("w", WatchEventType.Added), await NextAsync(events, e => e.Object.Metadata.Name == "w"));
        var modified = await ReadAsync(events);
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.Equal("2", modified.Object.Data["a"]);
        Assert.Equal(WatchEventType.Deleted, (await ReadAsync(events)).Type);
    }

    [Fact]
    public async Task Watch_resumes_after_a_resource_version()
    {
        var ns = await NewNamespaceAsync();
        var first = await sim.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "first" } }, ns);
        await sim.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "second" } }, ns);
        await sim.Client.CoreV1.PatchNamespacedSecretAsync(new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch), "first", ns);

        var events = Channel.CreateUnbounded<(WatchEventType Type, V1Secret Object)>();
        var response = sim.Client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(ns, watch: true, resourceVersion: first.Metadata.ResourceVersion);
        using var watcher = response.Watch<V1Secret, V1SecretList>((type, item) => events.Writer.TryWrite((type, item)));

        // Only what happened after "first" was created is replayed, in order.
        Assert.Equal(("second", WatchEventType.Added), Describe(await ReadAsync(events)));
        var modified = await ReadAsync(events);
        Assert.Equal(("first", WatchEventType.Modified), Describe(modified));
        Assert.Equal("y", modified.Object.Metadata.Labels["x"]);
    }

    [Fact]
    public async Task Label_filtered_watch_sees_objects_enter_and_leave_the_selection()
    {
        var ns = await NewNamespaceAsync();
        var events = Channel.CreateUnbounded<(WatchEventType Type, V1ConfigMap Object)>();
        var response = sim.Client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(ns, watch: true, labelSelector: "tier=web");
        using var watcher = response.Watch<V1ConfigMap, V1ConfigMapList>((type, item) => events.Writer.TryWrite((type, item)));
        await Task.Delay(100); // Let the watch connect before the changes.

        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "other", Labels = new Dictionary<string, string> { ["tier"] = "db" } } }, ns);
        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["tier"] = "web" } } }, ns);
        await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"tier":"cache"}}}""", V1Patch.PatchType.MergePatch), "web", ns);

        Assert.Equal(("web", WatchEventType.Added), Describe(await ReadAsync(events)));
        Assert.Equal(("web", WatchEventType.Deleted), Describe(await ReadAsync(events)));
    }

    [Fact]
    public async Task Watch_with_an_invalid_resource_version_is_a_bad_request()
    {
        var status = await StatusAssert.FailsWithAsync(400, "BadRequest",
            () => sim.Client.CoreV1.ListNamespacedPodWithHttpMessagesAsync("default", watch: true, resourceVersion: "not-a-number"));
        Assert.Contains("resourceVersion", status.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_gets_a_410_expired_event()
    {
        await using var small = await KubeSimServer.StartAsync(new KubeSimOptions { WatchHistoryLimit = 10 });
        using var client = small.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "churn" } }, "default");
        for (var i = 0; i < 25; i++)
        {
            await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(new V1ConfigMap { Data = new Dictionary<string, string> { ["i"] = $"{i}" } }, V1Patch.PatchType.MergePatch), "churn", "default");
        }

        using var http = SimulatorHttp.CreateClient(small);
        using var response = await http.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var line = await reader.ReadLineAsync() ?? "";
        var e = System.Text.Json.JsonDocument.Parse(line).RootElement;
        Assert.Equal("ERROR", e.GetProperty("type").GetString());
        Assert.Equal(410, e.GetProperty("object").GetProperty("code").GetInt32());
        Assert.Equal("Expired", e.GetProperty("object").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task WatchList_async_enumerable_streams_changes()
    {
        var ns = await NewNamespaceAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<(string, WatchEventType)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in sim.Client.CoreV1.WatchListNamespacedServiceAccountAsync(ns, cancellationToken: cts.Token))
            {
                seen.Add((item.Metadata.Name, type));
                if (item.Metadata.Name == "robot" && type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });
        await Task.Delay(100);
        await sim.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        await sim.Client.CoreV1.DeleteNamespacedServiceAccountAsync("robot", ns);
        await watching;

        Assert.Equal([("robot", WatchEventType.Added), ("robot", WatchEventType.Deleted)], seen.Where(s => s.Item1 == "robot"));
    }

    private async Task<string> NewNamespaceAsync()
    {
        var ns = TestNames.Unique("watch");
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        return ns;
    }

    private static (string, WatchEventType) Describe<T>((WatchEventType Type, T Object) e)
        where T : IKubernetesObject<V1ObjectMeta> => (e.Object.Metadata.Name, e.Type);

    private static async Task<(string, WatchEventType)> NextAsync<T>(Channel<(WatchEventType Type, T Object)> events, Func<(WatchEventType Type, T Object), bool> match)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        while (true)
        {
            var e = await ReadAsync(events);
            if (match(e))
            {
                return Describe(e);
            }
        }
    }

    private static async Task<(WatchEventType Type, T Object)> ReadAsync<T>(Channel<(WatchEventType Type, T Object)> events)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await events.Reader.ReadAsync(timeout.Token);
    }
}
