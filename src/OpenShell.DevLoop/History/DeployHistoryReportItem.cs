namespace OpenShell.DevLoop.History;

/// <summary>A recorded deploy with the steps the regression rule flags in it (what <c>openshell-dev history --json</c> prints).</summary>
/// <param name="Deploy">The deploy.</param>
/// <param name="Regressions">Its steps that took more than twice their median.</param>
public sealed record DeployHistoryReportItem(DeployHistoryEntry Deploy, IReadOnlyList<StepRegression> Regressions)
{
    /// <summary>The last <paramref name="count"/> deploys of <paramref name="entries"/> (oldest first), each with its regressions.</summary>
    public static IReadOnlyList<DeployHistoryReportItem> Last(IReadOnlyList<DeployHistoryEntry> entries, int count)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var first = Math.Max(0, entries.Count - count);
        return [.. Enumerable.Range(first, entries.Count - first).Select(i => new DeployHistoryReportItem(entries[i], RegressionRule.Find(entries, i)))];
    }

    /// <summary>The slowest step that ran, or null when none did.</summary>
    public DeployHistoryStep? SlowestStep => Deploy.Steps.Where(s => s.Outcome != DeployOutcomes.Skipped).MaxBy(s => s.Seconds);
}
