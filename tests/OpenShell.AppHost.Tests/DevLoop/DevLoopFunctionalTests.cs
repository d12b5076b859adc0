using System.Diagnostics;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Docker.DotNet.Models;
using OpenShell.AppHost.Sandboxes;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.AppHost.Tests.DevLoop;

/// <summary>
/// The whole AppHost on the offline stack (registry, simulator-based cluster whose pods run), in a throw-away clone:
/// everything comes up, sandboxes run the node's supervisor and show on the dashboard, edits reach only the components
/// they feed (a supervisor edit proven by a sandbox), every command works, and a cluster stopped or removed under it is
/// shown, refused clearly by "deploy now" and brought back by Recreate.
/// </summary>
[Collection(OfflineStackCollection.Name)]
public sealed partial class DevLoopFunctionalTests(OfflineStackFixture stack, ITestOutputHelper output)
{
    private const string SupervisorSource = "src/OpenShell.Sandbox/Program.cs";
    private const string ChartValues = "deploy/helm/openshell/values.yaml";

    [RequiresDocker]
    public async Task Offline_stack_comes_up_deploys_only_what_changed_and_obeys_its_commands()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var ct = cts.Token;
        var checkout = stack.Checkout;
        await stack.ReleaseRegistryAsync();
        var name = stack.Name;
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenShell_AppHost>(
            ["--environment=Offline", "--DcpPublisher:RandomizePorts=false", .. stack.Switches],
            ct);
        await using var app = await appHost.BuildAsync(ct);
        using var docker = DockerEngine.CreateClient();
        var containerName = $"openshell-cluster-{name}";
        try
        {
            await app.StartAsync(ct);
            var notifications = app.ResourceNotifications;
            await notifications.WaitForResourceHealthyAsync("registry", ct);
            var bundle = await notifications.WaitForResourceAsync("runtime-bundle", e => e.Snapshot.State?.Text is "Running" or "Failed", ct);
            Assert.Equal("Running", bundle.Snapshot.State?.Text);
            Assert.Equal("passed", Property(bundle, "bundle.verification"));
            await notifications.WaitForResourceHealthyAsync("cluster", ct);

            // The first deploy brings every component up.
            var supervisor = await WaitForPropertyAsync(notifications, "supervisor", "binary.sha256", _ => true, ct);
            var chart = await WaitForPropertyAsync(notifications, "chart", "helm.chartChecksum", _ => true, ct);
            var gateway = await WaitForPropertyAsync(notifications, "gateway", "image.pinned", image => image.Contains("@sha256:", StringComparison.Ordinal), ct);
            await notifications.WaitForResourceHealthyAsync("gateway", ct);
            await notifications.WaitForResourceAsync("watcher", e => e.Snapshot.State?.Text is "Watching" or "Up to date", ct);
            var sha = Property(supervisor, "binary.sha256")!;
            Assert.Equal(sha, await NodeSha256Async(docker, containerName, ct));
            Assert.Equal("0.1.0", Property(supervisor, "binary.version"));
            var commands = app.ResourceCommands;

            // A sandbox created from the gateway's command registers with the node's supervisor and shows under the gateway.
            var older = await CreateSandboxAsync(commands, sha, ct);
            var shown = await WaitForSandboxAsync(notifications, older, "Running", ct);
            Assert.Equal(sha, Property(shown, SandboxSnapshot.SupervisorSha256));
            Assert.Equal("ghcr.io/nvidia/openshell-community/sandboxes/base:latest", Property(shown, SandboxSnapshot.Image));

            // A supervisor edit changes the binary in the node, and nothing else; the deploy is done only once a
            // throwaway sandbox registered with it, and the sandbox started before shows it runs a stale supervisor.
            var edited = Stopwatch.StartNew();
            checkout.Append(SupervisorSource, $"// edit {Guid.NewGuid():N}");
            var newSupervisor = await WaitForPropertyAsync(notifications, "supervisor", "binary.sha256", value => value != sha, ct);
            var newSha = Property(newSupervisor, "binary.sha256")!;
            var verified = await notifications.WaitForResourceAsync("watcher", e => Property(e, "watcher.lastPlan") == "gateway=0 supervisor=1 chart=0"
                && Property(e, "watcher.lastSteps") is { } steps && steps.Contains("Sandbox verification", StringComparison.Ordinal), ct);
            output.WriteLine($"supervisor edit -> deployed and verified by a sandbox: {edited.Elapsed.TotalSeconds:0.0} s ({Property(verified, "watcher.lastSteps")})");
            Assert.Equal(newSha, await NodeSha256Async(docker, containerName, ct));
            var stale = await WaitForSandboxAsync(notifications, older, SandboxSnapshot.StaleState, ct);
            Assert.Equal(sha, Property(stale, SandboxSnapshot.SupervisorSha256));
            Assert.Equal(newSha, Property(stale, SandboxSnapshot.NodeSha256));
            var newer = await CreateSandboxAsync(commands, newSha, ct);
            Assert.Equal(newSha, Property(await WaitForSandboxAsync(notifications, newer, "Running", ct), SandboxSnapshot.SupervisorSha256));
            Assert.Equal(Property(gateway, "image.pinned"), Property(Latest(notifications, "gateway"), "image.pinned"));
            Assert.Equal(Property(chart, "helm.chartChecksum"), Property(Latest(notifications, "chart"), "helm.chartChecksum"));

            // A chart edit upgrades only the chart.
            checkout.Append(ChartValues, $"# edit {Guid.NewGuid():N}");
            var newChart = await WaitForPropertyAsync(notifications, "chart", "helm.chartChecksum", value => value != Property(chart, "helm.chartChecksum"), ct);
            Assert.Equal("True", Property(newChart, "helm.helmChartChanged"));
            Assert.Equal(newSha, Property(Latest(notifications, "supervisor"), "binary.sha256"));
            Assert.Equal(Property(gateway, "image.pinned"), Property(Latest(notifications, "gateway"), "image.pinned"));

            // An unrelated edit is planned and deploys nothing.
            checkout.Append("README.md", "edit");
            var watcher = await WaitForPropertyAsync(notifications, "watcher", "watcher.changedPaths", value => value.Contains("README.md", StringComparison.Ordinal), ct);
            watcher = await notifications.WaitForResourceAsync("watcher", e => e.Snapshot.State?.Text == "Up to date" && Property(e, "watcher.lastPlan") == "gateway=0 supervisor=0 chart=0", ct);
            Assert.Equal(newSha, Property(Latest(notifications, "supervisor"), "binary.sha256"));

            // Commands.
            Succeeded(await commands.ExecuteCommandAsync("watcher", "pause", ct));
            await notifications.WaitForResourceAsync("watcher", "Paused", ct);
            Succeeded(await commands.ExecuteCommandAsync("watcher", "resume", ct));
            await notifications.WaitForResourceAsync("watcher", e => e.Snapshot.State?.Text != "Paused", ct);
            Succeeded(await commands.ExecuteCommandAsync("watcher", "deploy-now", ct));
            Succeeded(await commands.ExecuteCommandAsync("chart", "upgrade", ct));
            Succeeded(await commands.ExecuteCommandAsync("supervisor", "rebuild", ct));
            Succeeded(await commands.ExecuteCommandAsync("gateway", "rebuild", ct));

            // The cluster stopped, then removed, under the running AppHost: deploy now fails before any step, naming the
            // cause and the fix; the cluster and the components show it; Recreate brings everything back.
            var before = (await docker.Containers.InspectContainerAsync(containerName, ct)).ID;
            await docker.Containers.StopContainerAsync(containerName, new ContainerStopParameters { WaitBeforeKillSeconds = 2 }, ct);
            var stopped = await commands.ExecuteCommandAsync("watcher", "deploy-now", ct);
            Assert.False(stopped.Success, "deploy now succeeded on a stopped cluster");
            Assert.Contains($"container {containerName} is not running (state 'exited')", stopped.Message, StringComparison.Ordinal);
            Assert.Contains("Use the cluster's Recreate command", stopped.Message, StringComparison.Ordinal);
            await notifications.WaitForResourceAsync("cluster", e => e.Snapshot.State?.Text == "Failed" && Property(e, "cluster.error") == stopped.Message, ct);
            await notifications.WaitForResourceAsync("gateway", e => e.Snapshot.State?.Text == "Failed" && Property(e, "deploy.error") == stopped.Message, ct);
            await docker.Containers.RemoveContainerAsync(containerName, new ContainerRemoveParameters { Force = true }, ct);
            var removed = await commands.ExecuteCommandAsync("watcher", "deploy-now", ct);
            Assert.False(removed.Success, "deploy now succeeded without a cluster container");
            Assert.Contains($"no container named {containerName} exists", removed.Message, StringComparison.Ordinal);
            Assert.Contains("Use the cluster's Recreate command", removed.Message, StringComparison.Ordinal);
            await notifications.WaitForResourceAsync("cluster", e => e.Snapshot.State?.Text == "Failed" && Property(e, "cluster.error") == removed.Message, ct);

            var recreating = Stopwatch.StartNew();
            Succeeded(await commands.ExecuteCommandAsync("cluster", "recreate", ct));
            var after = (await docker.Containers.InspectContainerAsync(containerName, ct)).ID;
            Assert.NotEqual(before, after);
            await notifications.WaitForResourceHealthyAsync("cluster", ct);
            Assert.Equal("", Property(await notifications.WaitForResourceAsync("cluster", e => e.Snapshot.State?.Text == "Running", ct), "cluster.error"));
            var rolledOut = await notifications.WaitForResourceAsync("gateway", e => e.Snapshot.State?.Text == "Running" && Property(e, "deploy.error") == "", ct);
            Assert.Contains("@sha256:", Property(rolledOut, "image.pinned"), StringComparison.Ordinal);
            await notifications.WaitForResourceHealthyAsync("gateway", ct);
            var recreatedSha = await NodeSha256Async(docker, containerName, ct);
            Assert.Equal(recreatedSha, Property(Latest(notifications, "supervisor"), "binary.sha256"));
            var afterRecreate = await CreateSandboxAsync(commands, recreatedSha, ct);
            await WaitForSandboxAsync(notifications, afterRecreate, "Running", ct);
            output.WriteLine($"cluster removed -> Recreate, gateway rolled out, a sandbox registered: {recreating.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static void Succeeded(ExecuteCommandResult result) => Assert.True(result.Success, result.Message);

    private static async Task<string> CreateSandboxAsync(ResourceCommandService commands, string expectedSha256, CancellationToken ct)
    {
        var created = await commands.ExecuteCommandAsync("gateway", SandboxCommands.Create, ct);
        Assert.True(created.Success, created.Message);
        var ready = ReadyMessage().Match(created.Message ?? "");
        Assert.True(ready.Success, $"not a Ready sandbox: {created.Message}");
        Assert.Equal(expectedSha256, ready.Groups["sha"].Value);
        return ready.Groups["name"].Value;
    }

    // Each sandbox is an instance of the gateway's sandbox resource, told apart by its resource id.
    private static async Task<ResourceEvent> WaitForSandboxAsync(ResourceNotificationService notifications, string sandbox, string state, CancellationToken ct)
    {
        await foreach (var change in notifications.WatchAsync(ct))
        {
            if (change.ResourceId == $"gateway-sandbox-{sandbox}" && change.Snapshot.State?.Text == state)
            {
                return change;
            }
        }

        throw new OperationCanceledException($"sandbox {sandbox} never reached {state}");
    }

    [GeneratedRegex("^sandbox (?<name>[a-z0-9-]+) is Ready: supervisor [^,]+, sha256 (?<sha>[0-9a-f]{64})$")]
    private static partial Regex ReadyMessage();

    private static ResourceEvent Latest(ResourceNotificationService notifications, string resource) =>
        notifications.TryGetCurrentState(resource, out var e) ? e : throw new InvalidOperationException($"{resource} has no state");

    private static string? Property(ResourceEvent e, string name) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == name)?.Value?.ToString();

    private static Task<ResourceEvent> WaitForPropertyAsync(ResourceNotificationService notifications, string resource, string property, Func<string, bool> accept, CancellationToken ct) =>
        notifications.WaitForResourceAsync(resource, e => Property(e, property) is { Length: > 0 } value && accept(value), ct);

    // What the node's supervisor link runs, recomputed on the node: the dev build's tree digest, or the release file's sha256.
    private static async Task<string> NodeSha256Async(Docker.DotNet.IDockerClient docker, string container, CancellationToken ct)
    {
        var sha = await OpenShell.DevLoop.Deploy.SupervisorDeployer.ReadNodeSha256Async(docker, container, ct);
        Assert.True(sha is { Length: 64 }, $"no supervisor on node {container}");
        return sha!;
    }
}
