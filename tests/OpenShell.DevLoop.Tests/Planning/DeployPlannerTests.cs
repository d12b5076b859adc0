using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;
using static OpenShell.DevLoop.Tests.Planning.PlannerFixture;
using static OpenShell.Testing.GitTestRepository;

namespace OpenShell.DevLoop.Tests.Planning;

public sealed class DeployPlannerTests
{
    [Fact]
    public async Task Clean_tree_after_a_recorded_deploy_is_a_noop()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 0, 0);
        Assert.True(plan.NothingToDo);
        Assert.True(plan.ShouldRecordState);
    }

    [Fact]
    public async Task Without_state_everything_with_inputs_is_rebuilt()
    {
        using var f = await PlannerFixture.CreateAsync();

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 1, 1);
        Assert.Equal(RebuildReasonKind.NotRecorded, plan["supervisor"].Reasons.Single().Kind);
        Assert.Null(plan["gateway"].RecordedFingerprint);
    }

    [Fact]
    public async Task Committing_deployed_work_is_a_noop()
    {
        using var f = await PlannerFixture.CreateAsync();
        f.Repository.Append(GatewayFile, "// deployed edit");
        f.Repository.Write("src/OpenShell.Server/New.cs", "// new file\n");
        await f.RecordDeployAsync();

        await f.Repository.GitAsync("add", "-A");
        AssertPlan(await f.PlanAsync(), 0, 0, 0);
        await f.Repository.GitAsync("commit", "--quiet", "-m", "deployed work");

        var plan = await f.PlanAsync();
        AssertPlan(plan, 0, 0, 0);
        Assert.True(plan.NothingToDo);
    }

    [Fact]
    public async Task Stashing_and_popping_deployed_work_is_a_noop()
    {
        using var f = await PlannerFixture.CreateAsync();
        f.Repository.Append(SupervisorFile, "// deployed edit");
        await f.RecordDeployAsync();

        await f.Repository.GitAsync("stash");
        AssertPlan(await f.PlanAsync(), 0, 1, 0);
        await f.Repository.GitAsync("stash", "pop");

        AssertPlan(await f.PlanAsync(), 0, 0, 0);
    }

    [Fact]
    public async Task Switching_branches_away_and_back_is_a_noop()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.Repository.GitAsync("checkout", "--quiet", "-b", "feature");
        f.Repository.Append(GatewayFile, "// feature work");
        await f.Repository.CommitAllAsync("feature work");
        await f.Repository.GitAsync("checkout", "--quiet", "main");
        await f.RecordDeployAsync();

        await f.Repository.GitAsync("checkout", "--quiet", "feature");
        AssertPlan(await f.PlanAsync(), 1, 0, 1);
        await f.Repository.GitAsync("checkout", "--quiet", "main");

        AssertPlan(await f.PlanAsync(), 0, 0, 0);
    }

    public static TheoryData<string, int, int, int, string> Edits => new()
    {
        { GatewayFile, 1, 0, 1, "src/OpenShell.Server/**" },
        { "deploy/docker/Dockerfile.gateway", 1, 0, 1, "deploy/docker/Dockerfile.gateway" },
        { SupervisorFile, 0, 1, 0, "src/OpenShell.Sandbox/**" },
        { SharedFile, 1, 1, 1, "src/OpenShell.Core/**" },
        { "Directory.Build.props", 1, 1, 1, "Directory.Build.props" },
        { "deploy/dev/components.json", 1, 1, 1, "deploy/dev/components.json" },
        { ChartFile, 0, 0, 1, "deploy/helm/openshell/**" },
        { UnrelatedFile, 0, 0, 0, "" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task An_edit_rebuilds_the_components_it_feeds(string path, int gateway, int supervisor, int helm, string glob)
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Append(path, path.EndsWith(".json", StringComparison.Ordinal) ? string.Empty : "# edited");

        var plan = await f.PlanAsync();

        AssertPlan(plan, gateway, supervisor, helm);
        foreach (var component in plan.Components.Where(c => c.Changes.Count > 0))
        {
            var change = Assert.Single(component.Changes);
            Assert.Equal(new ChangedInput(path, ChangeKind.Modified, glob), change);
        }

        Assert.Equal(gateway + supervisor + helm == 0, plan.NothingToDo);
    }

    [Fact]
    public async Task A_gateway_edit_explains_itself_and_implies_a_helm_upgrade()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Append(GatewayFile, "// edited");

        var plan = await f.PlanAsync();

        Assert.Equal(RebuildReasonKind.InputsChanged, plan["gateway"].Reasons.Single().Kind);
        Assert.Equal(RebuildReasonKind.ImpliedByImage, plan["chart"].Reasons.Single().Kind);
        Assert.Empty(plan["chart"].Changes);
        Assert.NotEqual(plan["gateway"].RecordedFingerprint, plan["gateway"].Fingerprint);
    }

    public static TheoryData<string[], int, int, int> Targets => new()
    {
        { ["gateway"], 1, 0, 1 },
        { ["supervisor"], 0, 1, 0 },
        { ["sandbox"], 0, 1, 0 },
        { ["chart"], 0, 0, 1 },
        { ["helm"], 0, 0, 1 },
        { ["all"], 1, 1, 1 },
        { ["supervisor", "chart"], 0, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Explicit_targets_skip_change_detection(string[] targets, int gateway, int supervisor, int helm)
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Append(SharedFile, "// would rebuild both binaries automatically");

        var plan = await f.PlanAsync(targets);

        AssertPlan(plan, gateway, supervisor, helm);
        Assert.Equal(PlanMode.Explicit, plan.Mode);
        Assert.False(plan.ShouldRecordState);
        Assert.False(plan.NothingToDo);
    }

    [Fact]
    public async Task An_unknown_target_is_refused_with_the_valid_ones()
    {
        using var f = await PlannerFixture.CreateAsync();

        var ex = await Assert.ThrowsAsync<InvalidTargetException>(() => f.PlanAsync("gateway", "frontend"));

        Assert.Equal("frontend", ex.Target);
        Assert.Equal(["gateway", "supervisor", "sandbox", "chart", "helm", "all"], ex.ValidTargets);
        Assert.Contains("gateway, supervisor, sandbox, chart, helm, all", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recreated_cluster_container_rebuilds_gateway_and_helm_but_not_the_supervisor()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Locator.ContainerId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 0, 1);
        Assert.Equal(RebuildReasonKind.NewClusterContainer, plan["gateway"].Reasons.Single().Kind);
        Assert.Contains(plan["chart"].Reasons, r => r.Kind == RebuildReasonKind.NewClusterContainer);
        Assert.Contains(plan.Notes, n => n.Contains("cluster container changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_an_engine_the_container_cannot_invalidate_and_the_plan_says_so()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Locator.ContainerId = null;

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 0, 0);
        Assert.Contains(plan.Notes, n => n.Contains("cluster container id unknown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_container_is_looked_up_by_the_normalised_cluster_name()
    {
        using var f = await PlannerFixture.CreateAsync();
        f.Settings = new PlanSettings(ClusterName: "My_Cluster!!");

        var plan = await f.PlanAsync();

        Assert.Equal("my-cluster", plan.ClusterName);
        Assert.Equal("openshell-cluster-my-cluster", f.Locator.LastAskedName);
    }

    [Fact]
    public async Task A_committed_change_is_seen_without_any_dirty_file()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Append(GatewayFile, "// committed, as a pull would bring it");
        await f.Repository.CommitAllAsync("change");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 0, 1);
        Assert.Empty(plan["gateway"].Changes);
        Assert.Contains("commits", plan["gateway"].Reasons.Single().Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_file_counts()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Delete(SupervisorFile);

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 1, 0);
        Assert.Equal(new ChangedInput(SupervisorFile, ChangeKind.Deleted, "src/OpenShell.Sandbox/**"), plan["supervisor"].Changes.Single());
        Assert.Equal(plan["supervisor"].InputCount, plan["gateway"].InputCount - 2);
    }

    [Fact]
    public async Task A_staged_deletion_counts()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        await f.Repository.GitAsync("rm", "--quiet", ChartFile);

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 0, 1);
        Assert.Equal(ChangeKind.Deleted, plan["chart"].Changes.Single().Kind);
    }

    [Fact]
    public async Task A_new_untracked_file_counts()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Write("src/OpenShell.Server/Endpoints/Health.cs", "// new\n");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 0, 1);
        Assert.Equal(new ChangedInput("src/OpenShell.Server/Endpoints/Health.cs", ChangeKind.Untracked, "src/OpenShell.Server/**"), plan["gateway"].Changes.Single());
    }

    [Theory]
    [InlineData("src/OpenShell.Server/bin/Debug/OpenShell.Server.dll")]
    [InlineData("src/OpenShell.Sandbox/obj/project.assets.json")]
    [InlineData("src/OpenShell.Core/trace.log")]
    public async Task Ignored_files_never_count(string path)
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Write(path, "build output");

        AssertPlan(await f.PlanAsync(), 0, 0, 0);
    }

    [Fact]
    public async Task Build_output_counts_not_even_when_git_tracks_it()
    {
        using var f = await PlannerFixture.CreateAsync();
        f.Repository.Write("src/OpenShell.Server/bin/tracked.txt", "v1");
        await f.Repository.GitAsync("add", "--force", "src/OpenShell.Server/bin/tracked.txt");
        await f.Repository.CommitAllAsync("tracked build output");
        await f.RecordDeployAsync();
        f.Repository.Write("src/OpenShell.Server/bin/tracked.txt", "v2");

        AssertPlan(await f.PlanAsync(), 0, 0, 0);
    }

    [Fact]
    public async Task A_rename_counts_both_paths()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        await f.Repository.GitAsync("mv", GatewayFile, "src/OpenShell.Sandbox/Moved.cs");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 1, 1);
        Assert.Equal(new ChangedInput(GatewayFile, ChangeKind.Deleted, "src/OpenShell.Server/**"), plan["gateway"].Changes.Single());
        Assert.Equal(new ChangedInput("src/OpenShell.Sandbox/Moved.cs", ChangeKind.Added, "src/OpenShell.Sandbox/**"), plan["supervisor"].Changes.Single());
    }

    [Fact]
    public async Task An_unstaged_rename_counts_both_paths()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        File.Move(Path.Combine(f.Repository.Root, SupervisorFile), Path.Combine(f.Repository.Root, "src/OpenShell.Sandbox/Main.cs"));

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 1, 0);
        Assert.Equal(
            [new ChangedInput("src/OpenShell.Sandbox/Main.cs", ChangeKind.Untracked, "src/OpenShell.Sandbox/**"), new ChangedInput(SupervisorFile, ChangeKind.Deleted, "src/OpenShell.Sandbox/**")],
            plan["supervisor"].Changes);
    }

    [Fact]
    public async Task State_of_another_cluster_is_ignored()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Settings = new PlanSettings(ClusterName: "other");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 1, 1);
        Assert.Equal(RebuildReasonKind.OtherCluster, plan["supervisor"].Reasons.Single().Kind);
        Assert.Contains(plan.Notes, n => n.Contains("recorded for cluster", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_corrupt_state_file_warns_and_plans_as_if_there_were_no_state()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        await File.WriteAllTextAsync(f.Store.Path, "cluster_name=x\n\0\0garbage");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 1, 1);
        Assert.Null(plan.RecordedState);
        Assert.Contains(plan.Notes, n => n.StartsWith("warning: ", StringComparison.Ordinal) && n.Contains("corrupt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_key_is_ignored_and_kept_when_the_state_is_rewritten()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        await File.AppendAllTextAsync(f.Store.Path, "future_flag=1\nfuture_note=made by a newer version\n");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 0, 0);
        Assert.DoesNotContain(plan.Notes, n => n.StartsWith("warning: ", StringComparison.Ordinal));
        await f.Store.WriteAsync(plan.ToState(), plan.StateKeyOrder);
        var text = await File.ReadAllTextAsync(f.Store.Path);
        Assert.EndsWith("future_flag=1\nfuture_note=made by a newer version\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_fingerprint_rebuilds_only_its_component_and_is_replaced()
    {
        using var f = await PlannerFixture.CreateAsync();
        var recorded = await f.RecordDeployAsync();
        var text = await File.ReadAllTextAsync(f.Store.Path);
        await File.WriteAllTextAsync(f.Store.Path, text.Replace($"supervisor={recorded["supervisor"].Fingerprint}", "supervisor=not-a-hash", StringComparison.Ordinal));

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 1, 0);
        Assert.Contains("malformed", plan["supervisor"].Reasons.Single().Description, StringComparison.Ordinal);
        Assert.Contains(plan.Notes, n => n.StartsWith("warning: ", StringComparison.Ordinal) && n.Contains("'supervisor'", StringComparison.Ordinal));
        await f.Store.WriteAsync(plan.ToState(), plan.StateKeyOrder);
        Assert.Equal(text, await File.ReadAllTextAsync(f.Store.Path));
    }

    [Fact]
    public async Task Full_mode_rebuilds_everything()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Settings = new PlanSettings(FullMode: true);

        var plan = await f.PlanAsync();

        AssertPlan(plan, 1, 1, 1);
        Assert.All(plan.Components, c => Assert.Contains(c.Reasons, r => r.Kind == RebuildReasonKind.FullMode));
    }

    [Fact]
    public async Task Forced_helm_upgrades_the_chart_only()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Settings = new PlanSettings(ForceHelm: true);

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 0, 1);
        Assert.Equal(RebuildReasonKind.ForcedHelm, plan["chart"].Reasons.Single().Kind);
        Assert.False(plan.NothingToDo);
    }

    [Fact]
    public async Task Settings_come_from_the_upstream_environment_variables()
    {
        var variables = new Dictionary<string, string>
        {
            ["CLUSTER_NAME"] = "dev",
            ["DEPLOY_FAST_STATE_FILE"] = "/tmp/state",
            ["DEPLOY_FAST_MODE"] = "full",
            ["FORCE_HELM_UPGRADE"] = "1",
        };

        static PlanSettings From(IReadOnlyDictionary<string, string?> environment) => PlanSettings.From(
            OpenShell.DevLoop.Configuration.SettingsLoader.Resolve(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), null, environment).Settings);

        var settings = From(variables.ToDictionary(v => v.Key, v => (string?)v.Value));

        Assert.Equal(new PlanSettings("dev", "/tmp/state", FullMode: true, ForceHelm: true), settings);
        Assert.Equal(new PlanSettings(), From(new Dictionary<string, string?>()));
        // Upstream's truth rules: only "full" and only "1".
        Assert.Equal(new PlanSettings(), From(new Dictionary<string, string?> { ["DEPLOY_FAST_MODE"] = "FULL", ["FORCE_HELM_UPGRADE"] = "true" }));
    }

    [Fact]
    public async Task The_state_file_location_can_be_overridden()
    {
        using var f = await PlannerFixture.CreateAsync();
        f.Settings = new PlanSettings(StateFile: "custom/deploy.state");
        await f.RecordDeployAsync();

        Assert.True(File.Exists(Path.Combine(f.Repository.Root, "custom", "deploy.state")));
        Assert.False(File.Exists(Path.Combine(f.Repository.Root, DeployStateStore.DefaultRelativePath)));
        AssertPlan(await f.PlanAsync(), 0, 0, 0);
    }

    [Fact]
    public async Task A_partial_deploy_records_only_what_succeeded()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        f.Repository.Append(GatewayFile, "// edited");
        f.Repository.Append(SupervisorFile, "// edited");
        var plan = await f.PlanAsync();
        AssertPlan(plan, 1, 1, 1);

        // The gateway image was pushed but the Helm upgrade and the supervisor copy failed.
        await f.Store.WriteAsync(plan.ToState(["gateway"]), plan.StateKeyOrder);
        var next = await f.PlanAsync();

        AssertPlan(next, 0, 1, 1);
        Assert.Equal(RebuildReasonKind.NotRecorded, next["chart"].Reasons.Single().Kind);
    }

    [Fact]
    public async Task A_component_without_input_files_has_an_empty_fingerprint()
    {
        using var f = await PlannerFixture.CreateAsync(withChart: false);

        var plan = await f.PlanAsync();

        Assert.Equal(string.Empty, plan["chart"].Fingerprint);
        Assert.Equal(0, plan["chart"].InputCount);
        Assert.Matches("^[0-9a-f]{64}$", plan["gateway"].Fingerprint);
    }

    [Fact]
    public async Task Fingerprints_depend_on_content_and_path_only()
    {
        using var f = await PlannerFixture.CreateAsync();
        var before = await f.PlanAsync();
        var path = Path.Combine(f.Repository.Root, GatewayFile);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-3));
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);

        var after = await f.PlanAsync();

        Assert.Equal(before["gateway"].Fingerprint, after["gateway"].Fingerprint);
    }

    [Fact]
    public async Task A_reused_planner_never_serves_a_stale_result()
    {
        using var f = await PlannerFixture.CreateAsync();
        await f.RecordDeployAsync();
        var planner = new DeployPlanner(f.Locator);
        var request = new PlanRequest(f.Repository.Root, [], f.Settings);
        f.Repository.Write("src/OpenShell.Server/Extra.cs", "aaaa");
        var first = await planner.PlanAsync(request);

        // Same size and (almost certainly) the same timestamp: only the content differs.
        f.Repository.Write("src/OpenShell.Server/Extra.cs", "bbbb");
        var second = await planner.PlanAsync(request);
        var secondFresh = await f.PlanAsync();

        f.Repository.Delete("src/OpenShell.Server/Extra.cs");
        var third = await planner.PlanAsync(request);

        AssertPlan(first, 1, 0, 1);
        AssertPlan(second, 1, 0, 1);
        Assert.NotEqual(first["gateway"].Fingerprint, second["gateway"].Fingerprint);
        Assert.Equal(secondFresh["gateway"].Fingerprint, second["gateway"].Fingerprint);
        AssertPlan(third, 0, 0, 0);
    }

    [Fact]
    public async Task A_large_tree_is_checked_in_parallel_and_still_finds_the_one_edit()
    {
        using var f = await PlannerFixture.CreateAsync();
        for (var i = 0; i < 700; i++)
        {
            f.Repository.Write($"src/OpenShell.Sandbox/Area{i % 7}/File{i}.cs", $"// file {i}\n");
        }

        await f.Repository.CommitAllAsync("many files");
        await f.RecordDeployAsync();
        f.Repository.Append("src/OpenShell.Sandbox/Area3/File500.cs", "// edited");

        var plan = await f.PlanAsync();

        AssertPlan(plan, 0, 1, 0);
        Assert.Equal("src/OpenShell.Sandbox/Area3/File500.cs", plan["supervisor"].Changes.Single().Path);
        Assert.True(plan["supervisor"].InputCount > 700);
    }

    [Fact]
    public async Task An_image_edit_implies_only_the_chart_that_pins_it()
    {
        using var f = await PlannerFixture.CreateAsync();
        f.Repository.Write("deploy/dev/components.json", """
            {
              "components": [
                { "name": "gateway", "kind": "image", "chart": "chart", "gateway": true, "include": [ "src/OpenShell.Server/**" ] },
                { "name": "canary", "kind": "image", "chart": "tools", "repository": "canary", "workload": "tools/canary", "include": [ "src/OpenShell.Canary/**" ] },
                { "name": "supervisor", "kind": "binary", "include": [ "src/OpenShell.Sandbox/**" ] },
                { "name": "chart", "kind": "helm", "stateKey": "helm", "include": [ "deploy/helm/openshell/**" ] },
                { "name": "tools", "kind": "helm", "path": "deploy/helm/tools", "release": "tools", "include": [ "deploy/helm/tools/**" ] }
              ]
            }
            """);
        f.Repository.Write("src/OpenShell.Canary/Program.cs", "// canary\n");
        await f.Repository.CommitAllAsync("a second image pinned by a second chart");
        await f.RecordDeployAsync();
        f.Repository.Append("src/OpenShell.Canary/Program.cs", "// edited");

        var plan = await f.PlanAsync();

        Assert.Equal(["canary", "tools"], plan.Components.Where(c => c.Rebuild).Select(c => c.Component.Name));
        Assert.Equal("the canary image is rebuilt and rolls out through a Helm upgrade", plan["tools"].Reasons.Single().Description);
        Assert.False(plan["chart"].Rebuild);
    }
}
