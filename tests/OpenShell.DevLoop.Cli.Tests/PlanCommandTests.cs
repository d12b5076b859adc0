using System.Text.Json;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

public sealed class PlanCommandTests
{
    private const string NoopOutput =
        "Fast deploy plan:\n" +
        "  build gateway:    0\n" +
        "  build supervisor: 0\n" +
        "  helm upgrade:     0\n" +
        "No new local changes since last deploy.\n";

    [Fact]
    public async Task Prints_the_upstream_block_and_the_noop_line_after_a_deploy()
    {
        using var repository = await GitTestRepository.CreateAsync();
        await RecordedDeploy.WriteAsync(repository);

        var (exit, stdout, stderr) = await CliRunner.RunAsync("plan", "--repo", repository.Root);

        Assert.Equal(0, exit);
        Assert.Equal(NoopOutput, stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Prints_a_gateway_edit_as_1_0_1()
    {
        using var repository = await GitTestRepository.CreateAsync();
        await RecordedDeploy.WriteAsync(repository);
        repository.Append(GitTestRepository.GatewayFile, "// edited");

        var (exit, stdout, _) = await CliRunner.RunAsync("plan", "--repo", repository.Root);

        Assert.Equal(0, exit);
        Assert.Equal("Fast deploy plan:\n  build gateway:    1\n  build supervisor: 0\n  helm upgrade:     1\n", stdout);
    }

    [Theory]
    [InlineData("gateway", "1", "0", "1")]
    [InlineData("supervisor", "0", "1", "0")]
    [InlineData("sandbox", "0", "1", "0")]
    [InlineData("chart", "0", "0", "1")]
    [InlineData("helm", "0", "0", "1")]
    [InlineData("all", "1", "1", "1")]
    public async Task Explicit_targets_print_their_plan_and_never_the_noop_line(string target, string gateway, string supervisor, string helm)
    {
        using var repository = await GitTestRepository.CreateAsync();
        await RecordedDeploy.WriteAsync(repository);

        var (exit, stdout, _) = await CliRunner.RunAsync("plan", target, "--repo", repository.Root);

        Assert.Equal(0, exit);
        Assert.Equal($"Fast deploy plan:\n  build gateway:    {gateway}\n  build supervisor: {supervisor}\n  helm upgrade:     {helm}\n", stdout);
    }

    [Fact]
    public async Task An_invalid_target_lists_the_valid_ones_and_exits_2()
    {
        using var repository = await GitTestRepository.CreateAsync();

        var (exit, stdout, stderr) = await CliRunner.RunAsync("plan", "gateway", "frontend", "--repo", repository.Root);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("Unknown deploy target 'frontend'. Valid targets: gateway, supervisor, sandbox, chart, helm, all.\n", stderr);
    }

    [Fact]
    public async Task Explain_names_the_changed_path_and_the_glob()
    {
        using var repository = await GitTestRepository.CreateAsync();
        await RecordedDeploy.WriteAsync(repository);
        repository.Append(GitTestRepository.SharedFile, "// edited");

        var (exit, stdout, _) = await CliRunner.RunAsync("plan", "--explain", "--repo", repository.Root);

        Assert.Equal(0, exit);
        Assert.StartsWith("Fast deploy plan:\n  build gateway:    1\n  build supervisor: 1\n  helm upgrade:     1\n\n", stdout, StringComparison.Ordinal);
        Assert.Contains("\ngateway (image, state key gateway): rebuild\n  because its input files changed since the last deploy\n  modified   src/OpenShell.Core/Policy.cs  (matched src/OpenShell.Core/**)\n", stdout, StringComparison.Ordinal);
        Assert.Contains("\nchart (helm, state key helm): rebuild\n  because the gateway image is rebuilt and rolls out through a Helm upgrade\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"Cluster: {ClusterName.Normalize(Path.GetFileName(repository.Root))} (container openshell-cluster-", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_says_why_without_state()
    {
        using var repository = await GitTestRepository.CreateAsync();

        var (_, stdout, _) = await CliRunner.RunAsync("plan", "--explain", "--repo", repository.Root);

        Assert.Contains("supervisor (binary, state key supervisor): rebuild\n  because no deploy state is recorded", stdout, StringComparison.Ordinal);
        Assert.Contains("(none usable)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_carries_the_plan_reasons_and_changes()
    {
        using var repository = await GitTestRepository.CreateAsync();
        await RecordedDeploy.WriteAsync(repository);
        repository.Write("deploy/helm/openshell/templates/new.yaml", "kind: ConfigMap\n");

        var (exit, stdout, _) = await CliRunner.RunAsync("plan", "--json", "--repo", repository.Root);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("automatic", root.GetProperty("mode").GetString());
        Assert.False(root.GetProperty("nothingToDo").GetBoolean());
        Assert.Equal("{\"gateway\":0,\"supervisor\":0,\"chart\":1}", JsonSerializer.Serialize(root.GetProperty("plan")));
        var chart = root.GetProperty("components")[2];
        Assert.Equal("helm", chart.GetProperty("stateKey").GetString());
        Assert.Equal("inputsChanged", chart.GetProperty("reasons")[0].GetProperty("kind").GetString());
        var change = chart.GetProperty("changes")[0];
        Assert.Equal("deploy/helm/openshell/templates/new.yaml", change.GetProperty("path").GetString());
        Assert.Equal("untracked", change.GetProperty("change").GetString());
        Assert.Equal("deploy/helm/openshell/**", change.GetProperty("glob").GetString());
    }

    [Fact]
    public async Task Plan_changes_nothing()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var status = await repository.GitAsync("status", "--porcelain", "--ignored");

        await CliRunner.RunAsync("plan", "--repo", repository.Root);

        Assert.False(File.Exists(Path.Combine(repository.Root, DeployStateStore.DefaultRelativePath)));
        Assert.Equal(status, await repository.GitAsync("status", "--porcelain", "--ignored"));
    }

    [Fact]
    public async Task A_corrupt_state_file_warns_on_stderr()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write(DeployStateStore.DefaultRelativePath, "not a state file");

        var (exit, stdout, stderr) = await CliRunner.RunAsync("plan", "--repo", repository.Root);

        Assert.Equal(0, exit);
        Assert.Equal("Fast deploy plan:\n  build gateway:    1\n  build supervisor: 1\n  helm upgrade:     1\n", stdout);
        Assert.StartsWith("warning: the deploy state file ", stderr, StringComparison.Ordinal);
        Assert.Contains("is corrupt (line 1 is not a key=value line)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_a_repository_the_error_says_so()
    {
        using var folder = new TempDirectory();

        var (exit, _, stderr) = await CliRunner.RunAsync("plan", "--repo", folder.Path);

        Assert.Equal(1, exit);
        Assert.Contains("is not inside a git working tree", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fingerprint_prints_the_state_file_format()
    {
        using var repository = await GitTestRepository.CreateAsync(withChart: false);
        var expected = await new DeployPlanner(RecordedDeploy.NoContainer).PlanAsync(PlanRequest.Automatic(repository.Root));

        var (exit, stdout, _) = await CliRunner.RunAsync("fingerprint", "--repo", repository.Root);

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"cluster_name={ClusterName.Normalize(Path.GetFileName(repository.Root))}", lines[0]);
        Assert.StartsWith("container_id=", lines[1], StringComparison.Ordinal);
        Assert.Equal($"gateway={expected["gateway"].Fingerprint}", lines[2]);
        Assert.Equal($"supervisor={expected["supervisor"].Fingerprint}", lines[3]);
        Assert.Equal("helm=", lines[4]);
        Assert.Matches("^gateway=[0-9a-f]{64}$", lines[2]);
        Assert.Equal(5, lines.Length);
    }
}
