using Grpc.Core;
using Grpc.Net.Client;
using k8s;
using k8s.Models;
using OpenShell.Core.V1;
using OpenShell.KubeSim;
using OpenShell.Server.Tests.Hosting;

namespace OpenShell.Server.Tests.Sandboxes;

/// <summary>Every Sandboxes call through a real mTLS gateway against the Kubernetes API simulator.</summary>
public sealed class SandboxesAgainstKubeSimTests : IAsyncLifetime
{
    private const string Namespace = GatewayOnKubeSim.Namespace;
    private static readonly string s_sha256 = new('c', 64);

    private GatewayOnKubeSim _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await GatewayOnKubeSim.StartAsync(TimeSpan.FromMilliseconds(800));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Create_makes_a_pod_that_runs_the_supervisor_from_the_node()
    {
        var request = new CreateSandboxRequest { Name = "box-a", From = "python" };
        request.Command.AddRange(["python", "-m", "http.server"]);
        var created = await _stack.Sandboxes.CreateAsync(request);

        Assert.Equal("box-a", created.Name);
        Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/python:latest", created.Image);
        Assert.Equal(SandboxPhase.Pending, created.Phase);

        var pod = await _stack.Kubernetes.CoreV1.ReadNamespacedPodAsync("box-a", Namespace);
        Assert.Equal("openshell", pod.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Equal("Never", pod.Spec.RestartPolicy);
        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/python:latest", container.Image);
        Assert.Equal(["/opt/openshell/bin/openshell-sandbox"], container.Command);
        Assert.Equal(["--", "python", "-m", "http.server"], container.Args);

        var env = container.Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("https://openshell.openshell.svc.cluster.local:8080", env["OPENSHELL_GATEWAY_ENDPOINT"]);
        Assert.Equal("box-a", env["OPENSHELL_SANDBOX_ID"]);
        Assert.Equal("/etc/openshell/tls/tls.crt", env["OPENSHELL_TLS_CERT"]);
        Assert.Equal("/etc/openshell/tls/tls.key", env["OPENSHELL_TLS_KEY"]);
        Assert.Equal("/etc/openshell/tls/ca.crt", env["OPENSHELL_TLS_CA"]);

        var binVolume = Assert.Single(pod.Spec.Volumes, v => v.HostPath is not null);
        Assert.Equal("/opt/openshell/bin", binVolume.HostPath.Path);
        Assert.Equal("Directory", binVolume.HostPath.Type);
        var binMount = Assert.Single(container.VolumeMounts, m => m.Name == binVolume.Name);
        Assert.Equal("/opt/openshell/bin", binMount.MountPath);
        Assert.True(binMount.ReadOnlyProperty);

        var tlsVolume = Assert.Single(pod.Spec.Volumes, v => v.Secret is not null);
        Assert.Equal("openshell-client-tls", tlsVolume.Secret.SecretName);
        var tlsMount = Assert.Single(container.VolumeMounts, m => m.Name == tlsVolume.Name);
        Assert.Equal("/etc/openshell/tls", tlsMount.MountPath);
        Assert.True(tlsMount.ReadOnlyProperty);
    }

    [Fact]
    public async Task Default_sandbox_runs_the_base_image_idle()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "idle" });
        var pod = await _stack.Kubernetes.CoreV1.ReadNamespacedPodAsync("idle", Namespace);
        Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/base:latest", pod.Spec.Containers[0].Image);
        Assert.Equal(["--", "sleep", "infinity"], pod.Spec.Containers[0].Args);
    }

    [Fact]
    public async Task A_supervisor_that_registers_before_create_returns_keeps_its_registration()
    {
        // A busy gateway can hear from the new pod's supervisor before the Kubernetes API answers its create.
        _stack.Sim.Faults.Delay($"/api/v1/namespaces/{Namespace}/pods", TimeSpan.FromSeconds(1));
        var create = _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "fast-box" }).ResponseAsync;
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await _stack.Supervisor.RegisterAsync(new RegisterRequest { SandboxId = "fast-box", SupervisorVersion = "0.1.0", BinarySha256 = s_sha256 });
        Assert.False(create.IsCompleted, "the create answered before the supervisor registered: the race was not staged");
        await create;
        _stack.Sim.Faults.Reset();

        var sandbox = await _stack.Sandboxes.GetAsync(new GetSandboxRequest { Name = "fast-box" });

        Assert.Equal(s_sha256, sandbox.Supervisor?.BinarySha256);
    }

    [Fact]
    public async Task Get_list_and_delete_follow_the_pod_and_the_registration()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "box-b", From = "127.0.0.1:5000/team/box:dev" });
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "box-c" });

        var running = await EventuallyAsync(() => _stack.Sandboxes.GetAsync(new GetSandboxRequest { Name = "box-b" }).ResponseAsync, s => s.Phase == SandboxPhase.Starting);
        Assert.Equal("Running", running.PodPhase);
        Assert.Null(running.Supervisor);

        await _stack.Supervisor.RegisterAsync(new RegisterRequest { SandboxId = "box-b", SupervisorVersion = "0.1.0", BinarySha256 = s_sha256 });
        var ready = await _stack.Sandboxes.GetAsync(new GetSandboxRequest { Name = "box-b" });
        Assert.Equal(SandboxPhase.Ready, ready.Phase);
        Assert.Equal(s_sha256, ready.Supervisor.BinarySha256);
        Assert.Equal("127.0.0.1:5000/team/box:dev", ready.Image);

        var list = await _stack.Sandboxes.ListAsync(new ListSandboxesRequest());
        Assert.Equal(["box-b", "box-c"], list.Sandboxes.Select(s => s.Name));

        await _stack.Sandboxes.DeleteAsync(new DeleteSandboxRequest { Name = "box-b" });
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await _stack.Sandboxes.GetAsync(new GetSandboxRequest { Name = "box-b" }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Null(_stack.Gateway.Registry.Find("box-b"));
    }

    [Fact]
    public async Task Watch_streams_each_status_change_until_the_sandbox_is_deleted()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "watched" });
        using var watch = _stack.Sandboxes.Watch(new WatchSandboxRequest { Name = "watched" });
        var phases = new List<SandboxPhase>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        while (await watch.ResponseStream.MoveNext(timeout.Token))
        {
            var phase = watch.ResponseStream.Current.Phase;
            phases.Add(phase);
            switch (phase)
            {
                case SandboxPhase.Starting:
                    await _stack.Supervisor.RegisterAsync(new RegisterRequest { SandboxId = "watched", SupervisorVersion = "0.1.0", BinarySha256 = s_sha256 });
                    break;
                case SandboxPhase.Ready:
                    await _stack.Supervisor.ReportExitAsync(new ReportExitRequest { SandboxId = "watched", ExitCode = 0 });
                    break;
                case SandboxPhase.Succeeded:
                    await _stack.Sandboxes.DeleteAsync(new DeleteSandboxRequest { Name = "watched" });
                    break;
            }
        }

        Assert.Equal([SandboxPhase.Pending, SandboxPhase.Starting, SandboxPhase.Ready, SandboxPhase.Succeeded, SandboxPhase.Deleted], phases);
    }

    [Fact]
    public async Task Bad_requests_get_the_right_status_codes()
    {
        await _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "taken" });

        await AssertStatusAsync(StatusCode.InvalidArgument, "is invalid", () => _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "Bad_Name" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "a sandbox name is required", () => _stack.Sandboxes.GetAsync(new GetSandboxRequest()).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, "community sandbox name", () => _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "ok", From = "Not-A-Name" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.AlreadyExists, "sandbox 'taken' already exists", () => _stack.Sandboxes.CreateAsync(new CreateSandboxRequest { Name = "taken" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, "sandbox 'ghost' not found in namespace 'openshell'", () => _stack.Sandboxes.GetAsync(new GetSandboxRequest { Name = "ghost" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, "sandbox 'ghost' not found", () => _stack.Sandboxes.DeleteAsync(new DeleteSandboxRequest { Name = "ghost" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, "sandbox 'ghost' not found", async () =>
        {
            using var watch = _stack.Sandboxes.Watch(new WatchSandboxRequest { Name = "ghost" });
            await watch.ResponseStream.MoveNext(CancellationToken.None);
            return watch.ResponseStream.Current;
        });
        await AssertStatusAsync(StatusCode.InvalidArgument, "binary_sha256", () => _stack.Supervisor.RegisterAsync(new RegisterRequest { SandboxId = "taken", BinarySha256 = "xyz" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.FailedPrecondition, "has not registered", () => _stack.Supervisor.HeartbeatAsync(new HeartbeatRequest { SandboxId = "never" }).ResponseAsync);
    }

    [Fact]
    public async Task Pods_not_made_by_the_gateway_are_invisible_and_never_deleted()
    {
        await _stack.Kubernetes.CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { Name = "other" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] } },
            Namespace);

        await AssertStatusAsync(StatusCode.NotFound, "sandbox 'other' not found", () => _stack.Sandboxes.DeleteAsync(new DeleteSandboxRequest { Name = "other" }).ResponseAsync);
        Assert.Empty((await _stack.Sandboxes.ListAsync(new ListSandboxesRequest())).Sandboxes);
        Assert.NotNull(await _stack.Kubernetes.CoreV1.ReadNamespacedPodAsync("other", Namespace));
    }

    [Fact]
    public async Task Kubernetes_failures_become_unavailable_and_readiness_follows_the_api()
    {
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri(_stack.Gateway.HealthEndpoint, "/readyz"))).StatusCode);
        Assert.True((await new Gateway.GatewayClient(_stack.Channel).GetHealthAsync(new GetHealthRequest())).KubernetesReachable);

        _stack.Sim.Faults.FailNext($"/api/v1/namespaces/{Namespace}/pods", 503, 1);
        await AssertStatusAsync(StatusCode.Unavailable, "Kubernetes API answered 503", () => _stack.Sandboxes.ListAsync(new ListSandboxesRequest()).ResponseAsync);

        _stack.Sim.Faults.FailNext($"/api/v1/namespaces/{Namespace}/pods", 503, 1);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(_stack.Gateway.HealthEndpoint, "/readyz"))).StatusCode);
    }

    private static async Task AssertStatusAsync<T>(StatusCode code, string message, Func<Task<T>> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call());
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
