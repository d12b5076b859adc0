using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.FaultSuite;

/// <summary>
/// The suite's short form as tests: each scenario once, in the table's order (<see cref="ScenarioOrderer"/>), every
/// invariant must hold. One class, so the rows run one at a time, as the table's do: the scenarios time recoveries.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.TypeName, ScenarioOrderer.AssemblyName)]
public sealed class FaultSuiteTests(FaultSuiteTests.ClusterLifetime lifetime, ITestOutputHelper output) : IClassFixture<FaultSuiteTests.ClusterLifetime>
{
    public static TheoryData<string> InProcess => [.. FaultScenarios.All.Where(s => !s.NeedsDocker).Select(s => s.Name)];

    public static TheoryData<string> OnACluster => [.. FaultScenarios.All.Where(s => s.NeedsDocker && !s.NeedsPrivateEngine).Select(s => s.Name)];

    public static TheoryData<string> OnAPrivateEngine => [.. FaultScenarios.All.Where(s => s.NeedsPrivateEngine).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(InProcess))]
    public Task Every_invariant_holds_after_the_fault(string name) => RunAsync(name);

    [RequiresDockerTheory]
    [MemberData(nameof(OnACluster))]
    public Task Every_invariant_holds_after_the_fault_on_a_real_cluster(string name) => RunAsync(name);

    [PrivateEngineTheory]
    [MemberData(nameof(OnAPrivateEngine))]
    public Task Every_invariant_holds_after_the_fault_on_a_private_engine(string name) => RunAsync(name);

    [Fact]
    public void The_table_names_each_broken_invariant_and_what_was_seen()
    {
        var table = FaultTable.Render(
        [
            new ScenarioResult("kill", "state-write", "killed", TimeSpan.FromSeconds(1.5), [new InvariantCheck("no leftovers", false, "left behind: x.tmp"), new InvariantCheck("converges", true)]),
        ]);

        Assert.Contains("| kill     | state-write | killed  | 1.50 s   | 1/2 held (BROKEN no leftovers, converges) |", table, StringComparison.Ordinal);
        Assert.Contains("kill: no leftovers broken: left behind: x.tmp", table, StringComparison.Ordinal);
    }

    private async Task RunAsync(string name)
    {
        _ = lifetime;
        var result = await FaultScenarios.RunAsync(FaultScenarios.All.Single(s => s.Name == name));

        output.WriteLine(FaultTable.Render([result]));
        Assert.True(result.Held, FaultTable.Render([result]));
    }

    /// <summary>Removes the suite's clusters after the tests, when a scenario made them.</summary>
    public sealed class ClusterLifetime : IAsyncLifetime
    {
        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            // The private engine's cluster first: it deploys the shared cluster's clone.
            await SuiteEngineCluster.RemoveAsync();
            await SuiteCluster.RemoveAsync();
        }
    }

    /// <summary>Runs a private-engine scenario unless told not to (see <see cref="FaultScenario.NeedsPrivateEngine"/>).</summary>
    public sealed class PrivateEngineTheoryAttribute : TheoryAttribute
    {
        public PrivateEngineTheoryAttribute()
        {
            if (DockerGate.SkipReason is { } reason)
            {
                Skip = reason;
            }
            else if (Environment.GetEnvironmentVariable("OPENSHELL_FAULTS_PRIVATE_ENGINE") == "0")
            {
                Skip = "OPENSHELL_FAULTS_PRIVATE_ENGINE=0 skips the rows that restart a private Docker engine with a cluster of its own; unset it to run them";
            }
        }
    }
}
