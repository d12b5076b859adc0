using Xunit.Abstractions;

namespace OpenShell.FaultSuite;

/// <summary>The short form's in-process rows (no cluster): a class of their own, so they run beside the cluster rows.</summary>
public sealed class InProcessFaultTests(ITestOutputHelper output)
{
    public static TheoryData<string> InProcess => [.. FaultScenarios.All.Where(s => !s.NeedsDocker).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(InProcess))]
    public Task Every_invariant_holds_after_the_fault(string name) => FaultSuiteTests.RunScenarioAsync(name, output);

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
}
