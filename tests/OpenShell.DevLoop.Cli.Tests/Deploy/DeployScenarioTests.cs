using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.History;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;
using Xunit.Abstractions;
using static OpenShell.DevLoop.Deploy.FastDeployer;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// OpenShell's fast-deploy harness scenarios through <c>openshell-dev deploy</c> on one shared cluster. Each automatic
/// deploy records the state, so every scenario starts from "deployed = working tree" and asserts the plan, the lines
/// and the effect in the registry, the HelmChart and the node.
/// </summary>
[Collection(DeployClusterCollection.Name)]
public sealed class DeployScenarioTests(DeployClusterFixture cluster, ITestOutputHelper output)
{
    private const string SupervisorSource = "src/OpenShell.Sandbox/Program.cs";
    private const string SupervisorMarker = "exits with its code.";

    [RequiresDocker]
    public async Task Prime_bootstraps_the_cluster_and_deploys_everything_pinned_by_digest()
    {
        var (exit, stdout, stderr) = cluster.Prime;
        output.WriteLine(stdout);
        DeployAssert.Succeeded(cluster.Prime);
        Assert.Contains($"Bootstrapping cluster {cluster.ClusterName}", stdout, StringComparison.Ordinal);
        DeployAssert.Plan(stdout, 1, 1, 1);
        DeployAssert.Has(stdout, PushLine, HelmLine, SupervisorUpdatedLine, CompleteLine);
        foreach (var label in new[] { "Change detection", "Builds", "Supervisor build + deploy", "Image push", "Helm upgrade", "Total deploy" })
        {
            DeployAssert.Timing(stdout, label);
        }

        await AssertGatewayPinnedAsync();
        Assert.True(File.Exists(cluster.StatePath), stderr);
        Assert.Equal(0, exit);
    }

    [RequiresDocker]
    public async Task Noop_does_nothing_and_touches_nothing()
    {
        var before = await cluster.ReadHelmChartAsync();
        var state = await File.ReadAllTextAsync(cluster.StatePath);

        var run = await cluster.DeployAsync();

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, 0, 0, 0);
        DeployAssert.Has(run.Stdout, "No new local changes since last deploy.");
        DeployAssert.HasNot(run.Stdout, PushLine, HelmLine, SupervisorUpdatedLine);
        Assert.Equal(ResourceVersion(before), ResourceVersion(await cluster.ReadHelmChartAsync()));
        Assert.Equal(state, await File.ReadAllTextAsync(cluster.StatePath));
    }

    [RequiresDocker]
    public async Task Unrelated_edit_plans_nothing()
    {
        var readme = Path.Combine(cluster.Root, "README.md");
        var original = await File.ReadAllTextAsync(readme);
        File.AppendAllText(readme, $"\nunrelated {Guid.NewGuid():N}\n");
        try
        {
            var run = await cluster.DeployAsync();

            DeployAssert.Succeeded(run);
            DeployAssert.Plan(run.Stdout, 0, 0, 0);
            DeployAssert.Has(run.Stdout, "No new local changes since last deploy.");
        }
        finally
        {
            await File.WriteAllTextAsync(readme, original);
        }
    }

    [RequiresDocker]
    public async Task Gateway_edit_pushes_a_new_digest_that_the_HelmChart_pins_and_the_StatefulSet_runs()
    {
        var before = await AssertGatewayPinnedAsync();
        cluster.Write("src/OpenShell.Server/DeployProbe.cs", Probe("OpenShell.Server"));

        var run = await cluster.DeployAsync();
        output.WriteLine(run.Stdout);

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, 1, 0, 1);
        DeployAssert.Has(run.Stdout, PushLine, HelmLine, RestartLine, CompleteLine);
        DeployAssert.HasNot(run.Stdout, SupervisorUpdatedLine);
        DeployAssert.Timing(run.Stdout, "Gateway rollout");
        var after = await AssertGatewayPinnedAsync();
        Assert.NotEqual(before, after);

        // Only the app layer is new: the base's layers are the same blobs, and the image runs the edited server.
        var (beforeLayers, afterLayers) = (await GatewayLayersAsync(before), await GatewayLayersAsync(after));
        Assert.Equal(beforeLayers.Count, afterLayers.Count);
        Assert.Equal(beforeLayers[..^1], afterLayers[..^1]);
        Assert.NotEqual(beforeLayers[^1], afterLayers[^1]);
        var help = await TestProcess.RunAsync("docker", ["run", "--rm", "--network", "none", $"{cluster.GatewayRepository}@{after}", "--help"], timeout: TimeSpan.FromMinutes(2));
        Assert.True(help.ExitCode == 0, $"the assembled gateway image did not run: {help.Stdout}{help.Stderr}");
        Assert.Contains("--probe", help.Stdout + help.Stderr, StringComparison.Ordinal);

        // The deploy is in the history, with the new layer's bytes.
        var latest = (await DeployHistory.ForRepository(cluster.Root).ReadAsync()).Entries[^1];
        Assert.Equal(("cli", "succeeded"), (latest.Trigger, latest.Outcome));
        Assert.Contains("src/OpenShell.Server/DeployProbe.cs", latest.Changes["gateway"]);
        Assert.True(latest.BytesPushed is > 0 and < 5_000_000, $"the app layer and a configuration were pushed, not {latest.BytesPushed} bytes");
        Assert.Contains(latest.Steps, s => s.Name == "image push" && s.Outcome == "succeeded" && s.Component == "gateway");
    }

    [RequiresDocker]
    public async Task A_warm_deployers_second_gateway_edit_is_compiled_warm_and_rolled_out_with_a_new_digest()
    {
        // The deployer a long-lived front end keeps: its first gateway deploy publishes with MSBuild and captures the
        // compiler's command lines; the next .cs edit is compiled warm into the publish folder.
        var deployer = new FastDeployer(cluster.Docker, cluster.LoadSettings(offline: true), NullLogger.Instance, warmCompile: true);
        const string source = "src/OpenShell.Server/WarmProbe.cs";
        cluster.Write(source, WarmProbe());
        var (firstEvents, first) = await DeployRecordingAsync(deployer);
        Assert.Contains(firstEvents, e => e.Step == DeployStep.Builds && e.Message.StartsWith("dotnet publish src/OpenShell.Server", StringComparison.Ordinal));
        Assert.Equal(first.Of("gateway")?.Digest, await AssertGatewayPinnedAsync());

        cluster.Write(source, WarmProbe());
        var (events, second) = await DeployRecordingAsync(deployer);

        var builds = events.Where(e => e.Step == DeployStep.Builds && e.Component == "gateway").Select(e => e.Message).ToList();
        Assert.Contains(builds, m => m.StartsWith("warm compiler: compiled OpenShell.Server", StringComparison.Ordinal));
        Assert.DoesNotContain(builds, m => m.StartsWith("dotnet publish", StringComparison.Ordinal));
        var digest = second.Of("gateway")?.Digest;
        Assert.NotNull(digest);
        Assert.NotEqual(first.Of("gateway")?.Digest, digest);
        Assert.Equal(digest, await AssertGatewayPinnedAsync());
    }

    [RequiresDocker]
    public async Task Supervisor_edit_swaps_the_binary_on_the_node_and_leaves_the_HelmChart_alone()
    {
        var helmBefore = ResourceVersion(await cluster.ReadHelmChartAsync());
        var shaBefore = await cluster.NodeSupervisorSha256Async();
        var edited = $"{SupervisorMarker} ({Guid.NewGuid():N})";
        cluster.Edit(SupervisorSource, SupervisorMarker, edited);

        var run = await cluster.DeployAsync();
        output.WriteLine(run.Stdout);

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, 0, 1, 0);
        DeployAssert.Has(run.Stdout, SupervisorUpdatedLine, CompleteLine);
        DeployAssert.HasNot(run.Stdout, PushLine, HelmLine, RestartLine);
        var shaAfter = await cluster.NodeSupervisorSha256Async();
        Assert.NotEqual(shaBefore, shaAfter);
        Assert.Equal(await LocalSupervisorSha256Async(), shaAfter);
        var (historyExit, history, _) = await CliRunner.RunAsync("history", "--last", "1", "-C", cluster.Root);
        Assert.Equal(0, historyExit);
        Assert.Matches(@"\bcli\s+succeeded\s+[0-9.]+s\s+supervisor\s+supervisor [0-9.]+s", history);
        Assert.Equal(helmBefore, ResourceVersion(await cluster.ReadHelmChartAsync()));

        // The swapped binary (the dev build) runs on the node on its own and is the edited code.
        var (exit, help, _) = await ContainerExec.RunAsync(cluster.Docker, await cluster.ContainerIdAsync(), [SupervisorDeployer.NodePath, "--help"]);
        Assert.Equal(0L, exit);
        Assert.Contains(edited, help.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [RequiresDocker]
    public async Task Shared_edit_rebuilds_both_and_upgrades_the_chart()
    {
        var digestBefore = await AssertGatewayPinnedAsync();
        cluster.Write("src/OpenShell.Core/DeployProbe.cs", Probe("OpenShell.Core"));

        var run = await cluster.DeployAsync();
        output.WriteLine(run.Stdout);

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, 1, 1, 1);
        DeployAssert.Has(run.Stdout, PushLine, HelmLine, SupervisorUpdatedLine, RestartLine, CompleteLine);
        Assert.NotEqual(digestBefore, await AssertGatewayPinnedAsync());
        Assert.Equal(await LocalSupervisorSha256Async(), await cluster.NodeSupervisorSha256Async());
    }

    [RequiresDocker]
    public async Task Chart_edit_updates_the_HelmChart_content_and_keeps_the_image()
    {
        var before = await cluster.ReadHelmChartAsync();
        var digestBefore = await AssertGatewayPinnedAsync();
        File.AppendAllText(Path.Combine(cluster.Root, "deploy/helm/openshell/values.yaml"), $"# chart edit {Guid.NewGuid():N}\n");

        var run = await cluster.DeployAsync();

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, 0, 0, 1);
        DeployAssert.Has(run.Stdout, HelmLine, CompleteLine);
        DeployAssert.HasNot(run.Stdout, PushLine, RestartLine, SupervisorUpdatedLine);
        var after = await cluster.ReadHelmChartAsync();
        Assert.NotEqual(ResourceVersion(before), ResourceVersion(after));
        var packaged = await Images.ChartPackager.PackAsync(Path.Combine(cluster.Root, "deploy/helm/openshell"), Path.Combine(cluster.Root, ".cache", "test-chart"));
        Assert.Equal(Convert.ToBase64String(await File.ReadAllBytesAsync(packaged.Path)), after["spec"]!["chartContent"]!.GetValue<string>());
        Assert.Equal(packaged.Sha256, HelmValuesEditor.Read(Values(after), "chartChecksum"));
        Assert.Equal(digestBefore, await AssertGatewayPinnedAsync());
    }

    public static TheoryData<string, int, int, int> ExplicitTargets => new()
    {
        { "gateway", 1, 0, 1 },
        { "supervisor", 0, 1, 0 },
        { "chart", 0, 0, 1 },
        { "all", 1, 1, 1 },
    };

    [RequiresDockerTheory]
    [MemberData(nameof(ExplicitTargets))]
    public async Task Explicit_targets_rebuild_what_is_named_and_an_unchanged_rebuild_rolls_nothing(string target, int gateway, int supervisor, int helm)
    {
        var helmBefore = ResourceVersion(await cluster.ReadHelmChartAsync());
        var digestBefore = await AssertGatewayPinnedAsync();
        var state = await File.ReadAllTextAsync(cluster.StatePath);

        var run = await cluster.DeployAsync(null, target);
        output.WriteLine(run.Stdout);

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, gateway, supervisor, helm);
        DeployAssert.Has(run.Stdout, CompleteLine);
        if (gateway == 1)
        {
            DeployAssert.Has(run.Stdout, PushLine);
        }

        if (supervisor == 1)
        {
            DeployAssert.Has(run.Stdout, SupervisorUpdatedLine);
            Assert.Equal(await LocalSupervisorSha256Async(), await cluster.NodeSupervisorSha256Async());
        }

        if (helm == 1)
        {
            DeployAssert.Has(run.Stdout, HelmLine);
        }

        // Nothing changed in the sources: the same digest is pushed, the HelmChart is not touched, nothing rolls.
        DeployAssert.HasNot(run.Stdout, RestartLine);
        Assert.Equal(digestBefore, await AssertGatewayPinnedAsync());
        Assert.Equal(helmBefore, ResourceVersion(await cluster.ReadHelmChartAsync()));
        Assert.Equal(state, await File.ReadAllTextAsync(cluster.StatePath));
    }

    [RequiresDocker]
    public async Task Committing_deployed_work_then_rebuilding_gives_the_same_digest_and_sha_and_rolls_nothing()
    {
        cluster.Write("src/OpenShell.Server/CommitProbe.cs", CommitProbe("OpenShell.Server"));
        cluster.Write("src/OpenShell.Sandbox/CommitProbe.cs", CommitProbe("OpenShell.Sandbox"));
        var deployed = await cluster.DeployAsync();
        output.WriteLine(deployed.Stdout);
        DeployAssert.Succeeded(deployed);
        DeployAssert.Plan(deployed.Stdout, 1, 1, 1);
        var digest = await AssertGatewayPinnedAsync();
        var sha = await cluster.NodeSupervisorSha256Async();
        var helm = ResourceVersion(await cluster.ReadHelmChartAsync());

        // The deployed work is committed (a new HEAD), then a switch away and back rewrites the files.
        await GitAsync("add", "-A");
        await GitAsync("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "deployed work");
        await GitAsync("checkout", "--quiet", "HEAD~1");
        await GitAsync("checkout", "--quiet", "-");
        var gateway = await cluster.DeployAsync(null, "gateway");
        var supervisor = await cluster.DeployAsync(null, "supervisor");
        output.WriteLine(gateway.Stdout);
        output.WriteLine(supervisor.Stdout);

        DeployAssert.Succeeded(gateway);
        DeployAssert.Succeeded(supervisor);
        DeployAssert.HasNot(gateway.Stdout, RestartLine);
        Assert.Equal(digest, await AssertGatewayPinnedAsync());
        Assert.Equal(helm, ResourceVersion(await cluster.ReadHelmChartAsync()));
        DeployAssert.Has(supervisor.Stdout, SupervisorUpdatedLine);
        Assert.Equal(sha, await cluster.NodeSupervisorSha256Async());
        DeployAssert.Plan((await cluster.DeployAsync()).Stdout, 0, 0, 0);
    }

    [RequiresDocker]
    public async Task A_changed_container_id_redeploys_gateway_and_chart_only()
    {
        var state = await File.ReadAllTextAsync(cluster.StatePath);
        var realId = await cluster.ContainerIdAsync();
        await File.WriteAllTextAsync(cluster.StatePath, state.Replace($"container_id={realId}", $"container_id={new string('0', 64)}", StringComparison.Ordinal));

        var run = await cluster.DeployAsync();
        output.WriteLine(run.Stdout);

        DeployAssert.Succeeded(run);
        DeployAssert.Plan(run.Stdout, 1, 0, 1);
        DeployAssert.Has(run.Stdout, PushLine, HelmLine, CompleteLine);
        Assert.Contains($"container_id={realId}\n", await File.ReadAllTextAsync(cluster.StatePath), StringComparison.Ordinal);
        await AssertGatewayPinnedAsync();
    }

    [RequiresDocker]
    public async Task A_failed_build_leaves_the_state_and_the_node_binary_untouched()
    {
        var state = await File.ReadAllBytesAsync(cluster.StatePath);
        var shaBefore = await cluster.NodeSupervisorSha256Async();
        var deployedSource = await File.ReadAllTextAsync(Path.Combine(cluster.Root, SupervisorSource));
        cluster.Edit(SupervisorSource, "if (args is [\"--help\"]", "this does not compile;\nif (args is [\"--help\"]");
        try
        {
            var run = await cluster.DeployAsync();
            output.WriteLine(run.Stdout + run.Stderr);

            Assert.Equal(1, run.ExitCode);
            DeployAssert.Plan(run.Stdout, 0, 1, 0);
            Assert.Contains("Supervisor build + deploy failed", run.Stderr, StringComparison.Ordinal);
            DeployAssert.HasNot(run.Stdout, SupervisorUpdatedLine, CompleteLine);
            Assert.Equal(state, await File.ReadAllBytesAsync(cluster.StatePath));
            Assert.Equal(shaBefore, await cluster.NodeSupervisorSha256Async());
        }
        finally
        {
            // Back to the source that was deployed (earlier scenarios may have edited it since HEAD).
            await File.WriteAllTextAsync(Path.Combine(cluster.Root, SupervisorSource), deployedSource);
        }

        // Back to the deployed source: nothing to do.
        var again = await cluster.DeployAsync();
        DeployAssert.Succeeded(again);
        DeployAssert.Plan(again.Stdout, 0, 0, 0);
    }

    [RequiresDocker]
    public async Task Supervisor_swaps_racing_a_reader_never_expose_a_broken_binary()
    {
        var containerId = await cluster.ContainerIdAsync();
        var published = cluster.ReleaseSupervisor;
        var padded = Path.Combine(cluster.Root, ".cache", "padded-supervisor");
        File.Copy(published, padded, overwrite: true);
        await using (var stream = new FileStream(padded, FileMode.Append))
        {
            stream.Write(RandomNumberGenerator.GetBytes(1 << 20));
        }

        // The reader execs the binary in a loop until the swaps are done (a stop file; at most two minutes) and reports
        // any run that fails. A fixed number of swaps, not a fixed time, so a loaded machine does not weaken the test.
        const string stopFile = "/tmp/openshell-swap-race-stop";
        await ContainerExec.RunAsync(cluster.Docker, containerId, ["rm", "-f", stopFile]);
        var reader = ContainerExec.RunAsync(cluster.Docker, containerId, ["sh", "-c",
            $"end=$(( $(date +%s) + 120 )); n=0; while [ ! -e {stopFile} ] && [ $(date +%s) -lt $end ]; do out=$(/opt/openshell/bin/openshell-sandbox --version 2>&1) || echo \"BROKEN $? $out\"; n=$((n+1)); done; echo RUNS $n"]);
        const int swaps = 8;
        for (var i = 0; i < swaps && !reader.IsCompleted; i++)
        {
            await SupervisorDeployer.DeployAsync(cluster.Docker, containerId, i % 2 == 0 ? padded : published);
        }

        var swappedWhileReading = !reader.IsCompleted;
        await ContainerExec.RunAsync(cluster.Docker, containerId, ["touch", stopFile]);
        var (exit, stdout, stderr) = await reader;
        output.WriteLine($"{swaps} swaps; reader: {stdout}{stderr}");
        Assert.True(swappedWhileReading, "the reader stopped before the swaps were done");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("BROKEN", stdout, StringComparison.Ordinal);
        Assert.Matches(@"RUNS [1-9]\d*", stdout);

        // Leave the published binary in place, as the recorded state says.
        await SupervisorDeployer.DeployAsync(cluster.Docker, containerId, published);
        var publishedSha = await SupervisorDeployer.HashFileAsync(published, CancellationToken.None);
        Assert.Equal(publishedSha, await cluster.NodeSupervisorSha256Async());

        // The link names the binary by its sha256; only it and the one before are kept, and no temporary file is left.
        var (_, listing, _) = await ContainerExec.RunAsync(cluster.Docker, containerId, ["sh", "-c", $"cd {SupervisorDeployer.NodeDirectory} && readlink openshell-sandbox && ls -a"]);
        var lines = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($".openshell-sandbox-{publishedSha}", lines[0]);
        Assert.InRange(lines.Skip(1).Count(l => l.StartsWith(".openshell-sandbox-", StringComparison.Ordinal)), 1, 2);
        Assert.Contains(lines[0], lines.Skip(1));
        Assert.DoesNotContain(lines, l => l.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [RequiresDocker]
    public async Task A_second_deploy_of_the_checkout_waits_for_the_first()
    {
        var events = new List<DeployEvent>();
        var progress = new SyncProgress(e => { lock (events) { events.Add(e); } });
        Task<DeployResult> second;
        using (await DeployLock.AcquireAsync(cluster.Root, TimeSpan.FromSeconds(5), () => { }))
        {
            second = cluster.CreateDeployer().DeployAsync(DeployRequest.From(cluster.LoadSettings(offline: true), cluster.Root), progress);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!HasWaitingLine(events) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(HasWaitingLine(events), "the second deploy did not say it waits");
            await Task.Delay(500);
            Assert.False(second.IsCompleted, "the second deploy ran while the first held the lock");
        }

        var result = await second;
        Assert.True(result.NothingToDo);

        // While held, a short timeout fails clearly.
        using (await DeployLock.AcquireAsync(cluster.Root, TimeSpan.FromSeconds(5), () => { }))
        {
            var request = DeployRequest.From(cluster.LoadSettings(offline: true), cluster.Root) with { LockTimeout = TimeSpan.FromMilliseconds(300) };
            var failure = await Assert.ThrowsAsync<DeployException>(() => cluster.CreateDeployer().DeployAsync(request));
            Assert.Contains("Another deploy of this checkout", failure.Message, StringComparison.Ordinal);
        }
    }

    private static bool HasWaitingLine(List<DeployEvent> events)
    {
        lock (events)
        {
            return events.Any(e => e.Kind == DeployEventKind.Line && e.Message == DeployLock.WaitingMessage);
        }
    }

    /// <summary>The registry's digest for the tag equals the HelmChart's pinned digest and the StatefulSet's image; returns it.</summary>
    private async Task<string> AssertGatewayPinnedAsync()
    {
        var chart = await cluster.ReadHelmChartAsync();
        var values = Values(chart);
        var digest = HelmValuesEditor.Read(values, "image", "digest");
        Assert.NotNull(digest);
        Assert.Equal(cluster.GatewayRepository, HelmValuesEditor.Read(values, "image", "repository"));
        var registryDigest = await GatewayImageBuilder.HeadDigestAsync(ImageReference.Parse($"{cluster.GatewayRepository}:dev"));
        Assert.Equal(registryDigest, digest);
        using var kube = cluster.CreateKubernetesClient();
        Assert.Equal($"{cluster.GatewayRepository}@{digest}", await GatewayRolloutWaiter.ReadImageAsync(kube));
        return digest;
    }

    // The layer digests of the gateway image <paramref name="digest"/> in the registry, in order.
    private async Task<List<string>> GatewayLayersAsync(string digest)
    {
        var reference = ImageReference.Parse($"{cluster.GatewayRepository}:dev");
        using var registry = new RegistryClient(RegistryEndpoint.For(reference.Registry!));
        var manifest = await registry.GetManifestAsync(reference.Repository, digest);
        Assert.NotNull(manifest);
        using var document = System.Text.Json.JsonDocument.Parse(manifest.Content);
        return [.. document.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)];
    }

    // What the fast deploy published (its default, the dev build's folder): the tree's sha256.
    private async Task<string> LocalSupervisorSha256Async()
    {
        var architecture = await Images.ClusterArchitecture.ReadAsync(cluster.Docker, DeployClusterFixture.BaseImage);
        return (await NodeTree.ReadAsync(SupervisorPublisher.DefaultOutputDirectory(cluster.Root, architecture, SupervisorBuild.Dev))).Sha256;
    }

    private static string WarmProbe() =>
        $"namespace OpenShell.Server;\n\n/// <summary>An edit made by the deploy tests.</summary>\ninternal static class WarmProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";

    private async Task<(List<DeployEvent> Events, DeployResult Result)> DeployRecordingAsync(FastDeployer deployer)
    {
        var events = new List<DeployEvent>();
        var result = await deployer.DeployAsync(DeployRequest.From(cluster.LoadSettings(offline: true), cluster.Root), new SyncProgress(e => { lock (events) { events.Add(e); } }));
        Assert.False(result.NothingToDo);
        lock (events)
        {
            return ([.. events], result);
        }
    }

    private static string Probe(string ns) =>
        $"namespace {ns};\n\n/// <summary>An edit made by the deploy tests.</summary>\ninternal static class DeployProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";

    private static string CommitProbe(string ns) =>
        $"namespace {ns};\n\n/// <summary>Work committed by the deploy tests.</summary>\ninternal static class CommitProbe\n{{\n    internal const string Value = \"{Guid.NewGuid():N}\";\n}}\n";

    private async Task GitAsync(params string[] args) =>
        (await TestProcess.RunAsync("git", args, cluster.Root, timeout: TimeSpan.FromMinutes(1))).EnsureSuccess("git " + string.Join(' ', args));

    private static string? Values(System.Text.Json.Nodes.JsonObject chart) => chart["spec"]?["valuesContent"]?.GetValue<string>();

    private static string? ResourceVersion(System.Text.Json.Nodes.JsonObject chart) => chart["metadata"]?["resourceVersion"]?.GetValue<string>();

    private sealed class SyncProgress(Action<DeployEvent> report) : IProgress<DeployEvent>
    {
        public void Report(DeployEvent value) => report(value);
    }
}
