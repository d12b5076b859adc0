using OpenShell.DevLoop.History;
using static OpenShell.DevLoop.Tests.History.HistoryEntries;

namespace OpenShell.DevLoop.Tests.History;

/// <summary>A step is flagged when it took more than twice its median over the last 20 successful runs (5 needed).</summary>
public sealed class RegressionRuleTests
{
    public static TheoryData<double[], double, bool> Cases => new()
    {
        // earlier supervisor durations, latest, flagged
        { [2, 2, 2, 2, 2], 4.1, true },
        { [2, 2, 2, 2, 2], 4.0, false },            // exactly twice is not "more than twice"
        { [2, 2, 2, 2], 9.0, false },               // four earlier runs are not enough
        { [1, 1, 3, 3, 3, 3], 6.5, true },          // median of an even count: (3 + 3) / 2
        { [1, 1, 1, 5, 5, 5], 6.5, true },          // median (1 + 5) / 2 = 3
        { [1, 1, 1, 5, 5, 5], 6.0, false },
        { [0.1, 0.1, 0.1, 0.1, 0.1], 0.4, false },  // under the noise floor
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_latest_step_is_compared_with_the_median_of_earlier_successful_runs(double[] earlier, double latest, bool flagged)
    {
        var entries = earlier.Select((s, i) => Entry(i, steps: ("supervisor", s))).Append(Entry(99, steps: ("supervisor", latest))).ToList();

        var found = RegressionRule.FindLatest(entries);

        Assert.Equal(flagged, found.Any(r => r.Step == "supervisor"));
    }

    [Fact]
    public void Only_the_last_20_successful_runs_in_which_the_step_ran_count()
    {
        // 30 old slow runs, then 20 fast ones: the median is of the fast ones.
        var entries = Enumerable.Range(0, 30).Select(i => Entry(i, steps: ("image push", 10.0)))
            .Concat(Enumerable.Range(30, 20).Select(i => Entry(i, steps: ("image push", 1.0))))
            // Failed deploys and deploys without the step are not compared with.
            .Append(Entry(50, DeployOutcomes.Failed, ("image push", 0.5)))
            .Append(Entry(51, steps: ("plan", 0.3)))
            .Append(Entry(52, DeployOutcomes.Succeeded, ("image push", 2.5), ("plan", 0.3)))
            .ToList();

        var regression = Assert.Single(RegressionRule.FindLatest(entries));

        Assert.Equal("image push", regression.Step);
        Assert.Equal(1.0, regression.MedianSeconds);
        Assert.Equal(20, regression.Runs);
        Assert.Equal("image push 2.5s is 2.5x its median 1.0s over the last 20 successful runs", regression.ToString());
    }

    [Fact]
    public void An_empty_history_has_no_regression() => Assert.Empty(RegressionRule.FindLatest([]));
}
