using k8s;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Cli.Tests.Sandboxes;

/// <summary>
/// <see cref="SandboxClient.CreateAndWaitAsync"/>, the call a deploy check makes to prove a supervisor: a throwaway
/// sandbox, the sha256 that registered, and failures that carry the sandbox's last status.
/// </summary>
public sealed class SandboxClientTests : IAsyncLifetime
{
    private LocalGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await LocalGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task CreateAndWait_returns_the_registered_supervisor_sha256_and_reports_each_phase()
    {
        var sha = LocalGateway.Sha256Of("deployed supervisor");
        var phases = new List<SandboxPhase>();
        var progress = new SynchronousProgress(s => phases.Add(s.Phase));

        var waiting = _gateway.Client.CreateAndWaitAsync(new SandboxCreateRequest(From: "base", Command: ["true"]), progress);
        var name = await NewestPodAsync();
        await _gateway.RegisterWhenRunningAsync(name, sha);
        var ready = await waiting;

        Assert.Equal(sha, ready.SupervisorSha256);
        Assert.Equal("0.1.0", ready.SupervisorVersion);
        Assert.Equal(SandboxPhase.Ready, ready.Sandbox.Phase);
        Assert.StartsWith(SandboxNames.GeneratedPrefix, ready.Sandbox.Name, StringComparison.Ordinal);
        Assert.True(ready.Elapsed > TimeSpan.Zero);
        Assert.Equal(SandboxPhase.Pending, phases[0]);
        Assert.Equal(SandboxPhase.Ready, phases[^1]);

        await _gateway.Client.DeleteAsync(name);
        Assert.Empty(await _gateway.Client.ListAsync());
    }

    [Fact]
    public async Task WaitUntilAnswers_returns_at_once_from_a_serving_gateway_and_keeps_trying_one_that_does_not_answer()
    {
        await _gateway.Client.WaitUntilAnswersAsync(TimeSpan.Zero);

        await using var silent = await LocalGateway.StartAsync(serve: false);
        using var client = SandboxClient.Connect(GatewayEndpoint.Resolve(silent.Paths, silent.Port));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SandboxException>(() => client.WaitUntilAnswersAsync(TimeSpan.FromSeconds(2)));

        Assert.True(error.GatewayUnavailable);
        Assert.Contains($"the gateway at https://127.0.0.1:{silent.Port} does not answer", error.Message, StringComparison.Ordinal);
        Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(2), $"gave up after {waited.Elapsed} instead of trying for 2 s");
    }

    [Fact]
    public async Task CreateAndWait_fails_with_the_last_status_when_the_timeout_runs_out()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() =>
            _gateway.Client.CreateAndWaitAsync(new SandboxCreateRequest("never") { Timeout = TimeSpan.FromSeconds(2) }));

        Assert.Equal(SandboxException.Step, error.StepName);
        Assert.NotNull(error.Sandbox);
        Assert.Equal(SandboxPhase.Starting, error.Sandbox.Phase);
        Assert.Contains("did not register within 2s", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Remedy);
    }

    [Fact]
    public async Task CreateAndWait_fails_at_once_when_the_sandbox_is_deleted_while_waiting()
    {
        var waiting = _gateway.Client.CreateAndWaitAsync(new SandboxCreateRequest("doomed") { Timeout = TimeSpan.FromSeconds(60) });
        await NewestPodAsync();
        await _gateway.Client.DeleteAsync("doomed");

        var error = await Assert.ThrowsAsync<SandboxException>(() => waiting);
        Assert.Contains("sandbox 'doomed' was deleted before its supervisor registered", error.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxPhase.Deleted, error.Sandbox?.Phase);
    }

    private async Task<string> NewestPodAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var pods = await _gateway.Kubernetes.CoreV1.ListNamespacedPodAsync(LocalGateway.Namespace);
            if (pods.Items.Count > 0)
            {
                return pods.Items[^1].Metadata.Name;
            }

            Assert.True(DateTime.UtcNow < deadline, "no sandbox pod was created");
            await Task.Delay(20);
        }
    }

    /// <summary><see cref="Progress{T}"/> posts to the thread pool; the order of phases matters here.</summary>
    private sealed class SynchronousProgress(Action<Sandbox> report) : IProgress<Sandbox>
    {
        public void Report(Sandbox value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }
}
