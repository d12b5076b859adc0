using k8s;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Cli.Tests.Sandboxes;

/// <summary><c>openshell-dev sandbox …</c> against a real gateway with the cluster's PKI, on the Kubernetes API simulator.</summary>
public sealed class SandboxCommandTests : IAsyncLifetime
{
    private LocalGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await LocalGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Create_waits_for_the_supervisor_and_prints_the_phase_and_its_sha256()
    {
        var sha = LocalGateway.Sha256Of("supervisor build 1");
        var cli = _gateway.RunCliAsync("sandbox", "create", "--from", "base", "--name", "hello-box", "--", "echo", "hello");
        await _gateway.RegisterWhenRunningAsync("hello-box", sha);
        var (exit, stdout, stderr) = await cli;

        Assert.True(exit == 0, stderr);
        Assert.Contains("sandbox hello-box: Ready", stdout, StringComparison.Ordinal);
        Assert.Contains("image: ghcr.io/nvidia/openshell-community/sandboxes/base:latest", stdout, StringComparison.Ordinal);
        Assert.Contains($"supervisor sha256: {sha}", stdout, StringComparison.Ordinal);
        Assert.Contains("hello-box: Pending", stderr, StringComparison.Ordinal);

        var pod = await _gateway.Kubernetes.CoreV1.ReadNamespacedPodAsync("hello-box", LocalGateway.Namespace);
        Assert.Equal(["--", "echo", "hello"], pod.Spec.Containers[0].Args);
    }

    [Fact]
    public async Task A_workload_that_exits_at_once_still_reports_the_registered_supervisor()
    {
        var sha = LocalGateway.Sha256Of("supervisor build 2");
        var cli = _gateway.RunCliAsync("sandbox", "create", "--name", "quick", "--", "false");
        await _gateway.RegisterWhenRunningAsync("quick", sha, exitCode: 1);
        var (exit, stdout, _) = await cli;

        // Create returns at the registration; whether the exit was seen by then is a race, but the outcome must match it.
        Assert.Contains($"supervisor sha256: {sha}", stdout, StringComparison.Ordinal);
        if (stdout.Contains("sandbox quick: Failed", StringComparison.Ordinal))
        {
            Assert.Equal(1, exit);
            Assert.Contains("exit code: 1", stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("sandbox quick: Ready", stdout, StringComparison.Ordinal);
            Assert.Equal(0, exit);
        }
    }

    [Fact]
    public async Task List_logs_and_delete()
    {
        var sha = LocalGateway.Sha256Of("supervisor build 3");
        var created = _gateway.RunCliAsync("sandbox", "create", "--name", "listed");
        await _gateway.RegisterWhenRunningAsync("listed", sha);
        Assert.Equal(0, (await created).ExitCode);

        var (listExit, list, _) = await _gateway.RunCliAsync("sandbox", "list");
        Assert.Equal(0, listExit);
        var row = Assert.Single(list.Split('\n'), l => l.StartsWith("listed ", StringComparison.Ordinal));
        Assert.Contains("Ready", row, StringComparison.Ordinal);
        Assert.Contains(sha[..12], row, StringComparison.Ordinal);

        // The simulator serves a canned log naming the container and its image; a kubelet serves the real output.
        var (logsExit, logs, logsError) = await _gateway.RunCliAsync("sandbox", "logs", "listed");
        Assert.True(logsExit == 0, logsError);
        Assert.Contains("sandbox", logs, StringComparison.Ordinal);
        Assert.Contains("ghcr.io/nvidia/openshell-community/sandboxes/base:latest", logs, StringComparison.Ordinal);

        var (deleteExit, deleted, _) = await _gateway.RunCliAsync("sandbox", "delete", "listed");
        Assert.Equal(0, deleteExit);
        Assert.Equal("deleted listed", deleted.Trim());
        Assert.Equal("no sandboxes", (await _gateway.RunCliAsync("sandbox", "list")).Stdout.Trim());
    }

    [Fact]
    public async Task Restart_recreates_the_pod_and_waits_for_the_new_supervisor()
    {
        var before = LocalGateway.Sha256Of("supervisor old");
        var after = LocalGateway.Sha256Of("supervisor new");
        var created = _gateway.RunCliAsync("sandbox", "create", "--name", "again", "--", "sleep", "1000");
        await _gateway.RegisterWhenRunningAsync("again", before);
        Assert.Equal(0, (await created).ExitCode);
        var oldUid = await _gateway.PodUidAsync("again");

        var restart = _gateway.RunCliAsync("sandbox", "restart", "again");
        await _gateway.RegisterWhenRunningAsync("again", after, previousUid: oldUid);
        var (exit, stdout, stderr) = await restart;

        Assert.True(exit == 0, stderr);
        Assert.Contains($"supervisor sha256: {after}", stdout, StringComparison.Ordinal);
        var pod = await _gateway.Kubernetes.CoreV1.ReadNamespacedPodAsync("again", LocalGateway.Namespace);
        Assert.NotEqual(oldUid, pod.Metadata.Uid);
        Assert.Equal(["--", "sleep", "1000"], pod.Spec.Containers[0].Args);
    }

    [Fact]
    public async Task A_supervisor_that_never_registers_fails_with_the_status_and_the_fix()
    {
        var (exit, _, stderr) = await _gateway.RunCliAsync("sandbox", "create", "--name", "silent", "--timeout", "2");

        Assert.Equal(1, exit);
        Assert.Contains("sandbox 'silent' runs but its supervisor did not register within 2s", stderr, StringComparison.Ordinal);
        Assert.Contains("last status: Starting (pod Running)", stderr, StringComparison.Ordinal);
        Assert.Contains("deploy the supervisor component", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_pull_failure_names_the_image_and_the_offline_images()
    {
        var cli = _gateway.RunCliAsync("sandbox", "create", "--name", "no-image", "--from", "missing", "--timeout", "3");
        await WaitForPodAsync("no-image");
        await _gateway.AddEventAsync("no-image", "Warning", "Failed", "Failed to pull image \"ghcr.io/nvidia/openshell-community/sandboxes/missing:latest\": not found");
        await _gateway.AddEventAsync("no-image", "Warning", "ErrImagePull", "image ghcr.io/nvidia/openshell-community/sandboxes/missing:latest exists nowhere");
        var (exit, _, stderr) = await cli;

        Assert.Equal(1, exit);
        Assert.Contains("the image ghcr.io/nvidia/openshell-community/sandboxes/missing:latest cannot be pulled", stderr, StringComparison.Ordinal);
        Assert.Contains("event Warning ErrImagePull", stderr, StringComparison.Ordinal);
        Assert.Contains("sudo bash eng/offline-images.sh", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_errors_keep_their_meaning()
    {
        var (exit, _, stderr) = await _gateway.RunCliAsync("sandbox", "delete", "ghost");
        Assert.Equal(1, exit);
        Assert.Contains("error: Sandbox failed: sandbox 'ghost' not found in namespace 'openshell'", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await _gateway.RunCliAsync("sandbox", "create", "--name", "Bad_Name");
        Assert.Equal(1, exit);
        Assert.Contains("sandbox name 'Bad_Name' is invalid", stderr, StringComparison.Ordinal);
    }

    private async Task WaitForPodAsync(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await _gateway.Kubernetes.CoreV1.ListNamespacedPodAsync(LocalGateway.Namespace, fieldSelector: $"metadata.name={name}")).Items.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"pod {name} was never created");
            await Task.Delay(50);
        }
    }
}
