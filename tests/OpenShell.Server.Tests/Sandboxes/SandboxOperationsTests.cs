using Grpc.Core;
using Grpc.Net.Client;
using k8s;
using k8s.Models;
using OpenShell.Core.V1;
using OpenShell.KubeSim;
using OpenShell.Server.Tests.Hosting;
using OpenShell.Testing;

namespace OpenShell.Server.Tests.Sandboxes;

/// <summary>WatchAll, Restart, GetLogs and ListEvents through a real mTLS gateway against the Kubernetes API simulator.</summary>
public sealed class SandboxOperationsTests : IAsyncLifetime
{
    private const string Namespace = GatewayOnKubeSim.Namespace;
    private static readonly string s_sha256 = new('d', 64);

    private GatewayOnKubeSim _stack = null!;

    public async Task InitializeAsync() =>
        // Long enough that a pod is still starting when the test asks for its log at once, even on a loaded machine.
        _stack = await GatewayOnKubeSim.StartAsync(TimeSpan.FromSeconds(2));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task WatchAll_streams_every_sandbox_then_each_change_and_each_removal()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "w-one" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watch = _stack.Sandboxes.WatchAll(new WatchAllSandboxesRequest(), cancellationToken: timeout.Token);
        var seen = new List<(string Name, SandboxPhase Phase)>();

        while (await watch.ResponseStream.MoveNext(timeout.Token))
        {
            var current = watch.ResponseStream.Current;
            seen.Add((current.Name, current.Phase));
            if (current is { Name: "w-one", Phase: SandboxPhase.Starting })
            {
                await _stack.Supervisor.RegisterAsync(new RegisterRequest { SandboxId = "w-one", SupervisorVersion = "0.1.0", BinarySha256 = s_sha256 });
            }
            else if (current is { Name: "w-one", Phase: SandboxPhase.Ready })
            {
                Assert.Equal(s_sha256, current.Supervisor.BinarySha256);
                await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "w-two" });
            }
            else if (current is { Name: "w-two", Phase: SandboxPhase.Starting })
            {
                await _stack.Sandboxes.DeleteAsync(new DeleteSandboxRequest { Name = "w-one" });
            }
            else if (current is { Name: "w-one", Phase: SandboxPhase.Deleted })
            {
                break;
            }
        }

        Assert.Equal(("w-one", SandboxPhase.Pending), seen[0]);
        Assert.Contains(("w-one", SandboxPhase.Ready), seen);
        Assert.Contains(("w-two", SandboxPhase.Starting), seen);
        Assert.Equal(("w-one", SandboxPhase.Deleted), seen[^1]);
        Assert.Single(seen, s => s == ("w-one", SandboxPhase.Deleted));
    }

    [Fact]
    public async Task Restart_recreates_the_pod_with_the_same_image_source_and_workload_and_forgets_the_registration()
    {
        var request = new CreateSandboxRequest { Name = "r-box", From = "python" };
        request.Command.AddRange(["python", "-m", "http.server"]);
        await _stack.Sandboxes.CreateAsync(request);
        var before = await _stack.Kubernetes.CoreV1.ReadNamespacedPodAsync("r-box", Namespace);
        await _stack.Supervisor.RegisterAsync(new RegisterRequest { SandboxId = "r-box", SupervisorVersion = "0.1.0", BinarySha256 = s_sha256 });

        var restarted = await _stack.Sandboxes.RestartAsync(new RestartSandboxRequest { Name = "r-box" });

        Assert.Equal(SandboxPhase.Pending, restarted.Phase);
        Assert.Null(restarted.Supervisor);
        Assert.Null(_stack.Gateway.Registry.Find("r-box"));
        var after = await _stack.Kubernetes.CoreV1.ReadNamespacedPodAsync("r-box", Namespace);
        Assert.NotEqual(before.Metadata.Uid, after.Metadata.Uid);
        Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/python:latest", after.Spec.Containers[0].Image);
        Assert.Equal("python", after.Metadata.Annotations["openshell.io/from"]);
        Assert.Equal(["--", "python", "-m", "http.server"], after.Spec.Containers[0].Args);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await _stack.Sandboxes.RestartAsync(new RestartSandboxRequest { Name = "ghost" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task GetLogs_reads_the_sandbox_container_through_the_pod_log_api()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "l-box", From = "127.0.0.1:5000/team/box:dev" });
        var early = await Assert.ThrowsAsync<RpcException>(async () => await _stack.Sandboxes.GetLogsAsync(new GetSandboxLogsRequest { Name = "l-box" }));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Contains("sandbox 'l-box' has no log yet: container \"sandbox\" in pod \"l-box\" is waiting to start", early.Status.Detail, StringComparison.Ordinal);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await _stack.Sandboxes.GetAsync(new GetSandboxRequest { Name = "l-box" })).PodPhase != "Running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var logs = await _stack.Sandboxes.GetLogsAsync(new GetSandboxLogsRequest { Name = "l-box" });

        // The simulator's canned log names the container and the image it was asked for.
        Assert.Contains("sandbox", logs.Text, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5000/team/box:dev", logs.Text, StringComparison.Ordinal);

        var bad = await Assert.ThrowsAsync<RpcException>(async () => await _stack.Sandboxes.GetLogsAsync(new GetSandboxLogsRequest { Name = "l-box", TailLines = -1 }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await _stack.Sandboxes.GetLogsAsync(new GetSandboxLogsRequest { Name = "ghost" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ListEvents_returns_this_pods_events_oldest_first()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "e-box" });
        var pod = await _stack.Kubernetes.CoreV1.ReadNamespacedPodAsync("e-box", Namespace);
        var now = DateTime.UtcNow;
        await AddEventAsync("e-box", pod.Metadata.Uid, "Warning", "ErrImagePull", "no such image", now.AddSeconds(-1));
        await AddEventAsync("e-box", pod.Metadata.Uid, "Normal", "Scheduled", "assigned to the node", now.AddSeconds(-5));
        await AddEventAsync("e-box", "an-earlier-pod", "Warning", "Failed", "not this pod", now);
        await AddEventAsync("other", null, "Normal", "Pulled", "another pod", now);

        var events = (await _stack.Sandboxes.ListEventsAsync(new ListSandboxEventsRequest { Name = "e-box" })).Events;

        Assert.Equal(["Scheduled", "ErrImagePull"], events.Select(e => e.Reason));
        Assert.Equal("Warning", events[1].Type);
        Assert.Equal("no such image", events[1].Message);
    }

    private Task AddEventAsync(string pod, string? uid, string type, string reason, string message, DateTime at) =>
        PodEvents.RecordAsync(_stack.Kubernetes, Namespace, pod, uid, type, reason, message, at);
}
