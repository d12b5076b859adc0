using k8s;
using k8s.Models;
using OpenShell.DevLoop.Deploy;
using OpenShell.KubeSim;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>
/// The wake-up of the rollout and helm-job waits: a watch event ends a wait long before its poll interval, and a watch
/// that fails leaves the wait on its own interval. Against the Kubernetes API simulator (in process, no Docker); every
/// interval that must not pass is ten minutes, and the test gives up after thirty seconds.
/// </summary>
public sealed class ObjectChangeSignalTests
{
    private static readonly TimeSpan s_never = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_giveUp = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_change_the_watch_reports_ends_the_wait_before_any_poll()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "watched" } });
        using var signal = ObjectChangeSignal.Start<V1ConfigMap>(
            (onEvent, onError, onClosed) => kube.CoreV1.WatchListNamespacedConfigMap("watched", fieldSelector: "metadata.name=target", onEvent: onEvent, onError: onError, onClosed: onClosed),
            watchedPoll: s_never);

        var wait = signal.WaitAsync(s_never, CancellationToken.None);
        await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "target" } }, "watched");
        await wait.WaitAsync(s_giveUp);
        Assert.True(signal.Watching);

        // The next change wakes the next wait too; a change to another object does not.
        var next = signal.WaitAsync(s_never, CancellationToken.None);
        await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "other" } }, "watched");
        await Task.Delay(300);
        Assert.False(next.IsCompleted);
        await kube.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch), "target", "watched");
        await next.WaitAsync(s_giveUp);
    }

    [Fact]
    public async Task A_watch_that_fails_leaves_the_wait_on_its_own_poll_interval()
    {
        using var signal = ObjectChangeSignal.Start<V1ConfigMap>(
            (_, onError, _) =>
            {
                onError(new HttpRequestException("watch refused"));
                return new NoWatch();
            },
            watchedPoll: s_never);

        Assert.False(signal.Watching);
        // The loss wakes one wait at once (to read what the watch may have missed); then the loop polls at its interval.
        await signal.WaitAsync(s_never, CancellationToken.None).WaitAsync(s_giveUp);
        await signal.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None).WaitAsync(s_giveUp);
    }

    [Fact]
    public async Task A_watch_that_cannot_start_is_a_poll_not_an_error()
    {
        using var signal = ObjectChangeSignal.Start<V1ConfigMap>((_, _, _) => throw new HttpRequestException("no route"), watchedPoll: s_never);

        Assert.False(signal.Watching);
        await signal.WaitAsync(s_never, CancellationToken.None).WaitAsync(s_giveUp);
        await signal.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None).WaitAsync(s_giveUp);
    }

    private sealed class NoWatch : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
