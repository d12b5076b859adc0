using Aspire.Hosting;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.DevLoop;

/// <summary>
/// The whole AppHost on the offline stack (registry, simulator-based cluster), in a throw-away clone: everything comes
/// up, edits reach only the components they feed, and every command works.
/// </summary>
[Collection(OfflineStackCollection.Name)]
public sealed class DevLoopFunctionalTests(OfflineStackFixture stack)
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

            // A supervisor edit changes the binary in the node, and nothing else.
            checkout.Append(SupervisorSource, $"// edit {Guid.NewGuid():N}");
            var newSupervisor = await WaitForPropertyAsync(notifications, "supervisor", "binary.sha256", value => value != sha, ct);
            var newSha = Property(newSupervisor, "binary.sha256")!;
            Assert.Equal(newSha, await NodeSha256Async(docker, containerName, ct));
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
            var commands = app.ResourceCommands;
            Assert.True((await commands.ExecuteCommandAsync("watcher", "pause", ct)).Success);
            await notifications.WaitForResourceAsync("watcher", "Paused", ct);
            Assert.True((await commands.ExecuteCommandAsync("watcher", "resume", ct)).Success);
            await notifications.WaitForResourceAsync("watcher", e => e.Snapshot.State?.Text != "Paused", ct);
            Assert.True((await commands.ExecuteCommandAsync("watcher", "deploy-now", ct)).Success);
            Assert.True((await commands.ExecuteCommandAsync("chart", "upgrade", ct)).Success);
            Assert.True((await commands.ExecuteCommandAsync("supervisor", "rebuild", ct)).Success);
            Assert.True((await commands.ExecuteCommandAsync("gateway", "rebuild", ct)).Success);
            var before = (await docker.Containers.InspectContainerAsync(containerName, ct)).ID;
            Assert.True((await commands.ExecuteCommandAsync("cluster", "recreate", ct)).Success);
            var after = (await docker.Containers.InspectContainerAsync(containerName, ct)).ID;
            Assert.NotEqual(before, after);
            await notifications.WaitForResourceHealthyAsync("cluster", ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static ResourceEvent Latest(ResourceNotificationService notifications, string resource) =>
        notifications.TryGetCurrentState(resource, out var e) ? e : throw new InvalidOperationException($"{resource} has no state");

    private static string? Property(ResourceEvent e, string name) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == name)?.Value?.ToString();

    private static Task<ResourceEvent> WaitForPropertyAsync(ResourceNotificationService notifications, string resource, string property, Func<string, bool> accept, CancellationToken ct) =>
        notifications.WaitForResourceAsync(resource, e => Property(e, property) is { Length: > 0 } value && accept(value), ct);

    private static async Task<string> NodeSha256Async(Docker.DotNet.IDockerClient docker, string container, CancellationToken ct)
    {
        var exec = await docker.Exec.ExecCreateContainerAsync(container, new ContainerExecCreateParameters
        {
            Cmd = ["sha256sum", "/opt/openshell/bin/openshell-sandbox"],
            AttachStdout = true,
            AttachStderr = true,
        }, ct);
        using var stream = await docker.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false, ct);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
        Assert.True(stdout.Length > 64, $"sha256sum printed nothing: {stderr}");
        return stdout[..64];
    }
}
