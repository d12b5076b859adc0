using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>
/// <c>openshell-dev-plan</c>, published ahead of time as a user publishes it, prints what <c>openshell-dev</c> prints for
/// the same commands on the same tree, and reads the same settings. Publishing it runs the native compiler: about a
/// minute and a half, once for the class.
/// </summary>
public sealed class AheadOfTimePlanTests(AheadOfTimePlanTests.Published published) : IClassFixture<AheadOfTimePlanTests.Published>
{
    [Theory]
    [InlineData("plan")]
    [InlineData("plan", "--explain")]
    [InlineData("plan", "--json")]
    [InlineData("plan", "supervisor", "chart")]
    [InlineData("plan", "gateway", "frontend")]
    [InlineData("fingerprint")]
    [InlineData("plan", "--offline", "--explain")]
    public async Task Prints_what_openshell_dev_prints(params string[] command)
    {
        using var repository = await GitTestRepository.CreateAsync();
        await RecordedDeploy.WriteAsync(repository);
        repository.Append(GitTestRepository.SharedFile, "// edited");
        repository.Write("src/OpenShell.Sandbox/Added.cs", "// new\n");

        var expected = await CliRunner.RunAsync([.. command, "--repo", repository.Root]);
        var actual = await TestProcess.RunAsync(published.Binary, [.. command, "--repo", repository.Root]);

        Assert.Equal(expected.ExitCode, actual.ExitCode);
        Assert.Equal(expected.Stdout.TrimEnd('\n'), actual.Stdout.TrimEnd('\n'));
        Assert.Equal(expected.Stderr.TrimEnd('\n'), actual.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Reads_upstream_variables_and_settings_as_openshell_dev_does()
    {
        // The settings are bound through reflection-free generated code but listed by reflection: a trimmed-away
        // property would leave its setting at the default without a word.
        using var repository = await GitTestRepository.CreateAsync();
        var environment = new Dictionary<string, string?>
        {
            ["CLUSTER_NAME"] = "aot-check",
            ["DEPLOY_FAST_STATE_FILE"] = ".cache/aot-check.state",
            ["FORCE_HELM_UPGRADE"] = "1",
        };

        var outcome = await TestProcess.RunAsync(published.Binary, ["plan", "--explain", "--repo", repository.Root], environment: environment);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("Cluster: aot-check (container openshell-cluster-aot-check", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains($"State: {Path.Combine(repository.Root, ".cache", "aot-check.state")}", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("FORCE_HELM_UPGRADE=1 forces a Helm upgrade", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hands_an_engine_it_does_not_reach_to_openshell_dev_and_says_so_when_that_is_missing()
    {
        using var repository = await GitTestRepository.CreateAsync();

        var outcome = await TestProcess.RunAsync(
            published.Binary, ["plan", "--repo", repository.Root], environment: new Dictionary<string, string?> { ["DOCKER_HOST"] = "tcp://127.0.0.1:9" });

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("for this engine it runs openshell-dev, which is not in", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal("", outcome.Stdout);
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("cluster", "down")]
    public async Task Refuses_what_is_not_a_planning_command_instead_of_handing_it_over(params string[] command)
    {
        using var repository = await GitTestRepository.CreateAsync();

        var outcome = await TestProcess.RunAsync(
            published.Binary, [.. command, "--repo", repository.Root], environment: new Dictionary<string, string?> { ["DOCKER_HOST"] = "tcp://127.0.0.1:9" });

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"Unrecognized command or argument '{command[^1]}'", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("runs openshell-dev", outcome.Stderr, StringComparison.Ordinal);
    }

    /// <summary><c>dotnet publish src/OpenShell.DevLoop.Plan -r linux-x64</c> into a folder of its own, once.</summary>
    public sealed class Published : IAsyncLifetime
    {
        private readonly TempDirectory _folder = new("openshell-dev-plan");

        public string Binary => Path.Combine(_folder.Path, "out", "openshell-dev-plan");

        public async Task InitializeAsync()
        {
            // Its own artifacts folder: the other tests' builds of the same projects never share object files with it.
            var project = Path.Combine(RepositoryPaths.Root, "src", "OpenShell.DevLoop.Plan");
            (await TestProcess.RunAsync(
                "dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", Path.Combine(_folder.Path, "out"), "--artifacts-path", Path.Combine(_folder.Path, "artifacts"), "-nologo"],
                timeout: TimeSpan.FromMinutes(10)))
                .EnsureSuccess("publishing openshell-dev-plan ahead of time");
        }

        public Task DisposeAsync()
        {
            _folder.Dispose();
            return Task.CompletedTask;
        }
    }
}
