namespace OpenShell.DevLoop.History;

/// <summary>
/// Flags a step whose duration is more than <see cref="Factor"/> times its median over the last <see cref="Window"/>
/// successful deploys before it in which that step ran, once at least <see cref="MinimumRuns"/> such deploys exist.
/// A step shorter than <see cref="NoiseFloorSeconds"/> is never flagged: a plan of 20 ms against a median of 8 ms is jitter.
/// </summary>
public static class RegressionRule
{
    /// <summary>How many earlier successful runs the median covers, at most.</summary>
    public const int Window = 20;

    /// <summary>How many earlier successful runs are needed before anything is flagged.</summary>
    public const int MinimumRuns = 5;

    /// <summary>How much slower than the median counts as a regression.</summary>
    public const double Factor = 2.0;

    /// <summary>Durations below this are never flagged.</summary>
    public const double NoiseFloorSeconds = 0.5;

    /// <summary>The regressions of the deploy at <paramref name="index"/> in <paramref name="entries"/> (oldest first).</summary>
    public static IReadOnlyList<StepRegression> Find(IReadOnlyList<DeployHistoryEntry> entries, int index)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, entries.Count);
        var found = new List<StepRegression>();
        foreach (var step in entries[index].Steps.Where(s => s.Outcome == DeployOutcomes.Succeeded && s.Seconds >= NoiseFloorSeconds))
        {
            var earlier = new List<double>(Window);
            for (var i = index - 1; i >= 0 && earlier.Count < Window; i--)
            {
                if (entries[i].Succeeded && Duration(entries[i], step) is { } seconds)
                {
                    earlier.Add(seconds);
                }
            }

            if (earlier.Count < MinimumRuns)
            {
                continue;
            }

            var median = Median(earlier);
            if (step.Seconds > Factor * median)
            {
                found.Add(new StepRegression(step.Name, step.Component, step.Seconds, median, earlier.Count));
            }
        }

        return found;
    }

    /// <summary>The regressions of the latest deploy, or none when the history is empty.</summary>
    public static IReadOnlyList<StepRegression> FindLatest(IReadOnlyList<DeployHistoryEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? [] : Find(entries, entries.Count - 1);
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    // A step is compared with the same step of the same component: two binaries each have a "supervisor" step.
    private static double? Duration(DeployHistoryEntry entry, DeployHistoryStep step) =>
        entry.Steps.FirstOrDefault(s => s.Name == step.Name && s.Component == step.Component && s.Outcome == DeployOutcomes.Succeeded)?.Seconds;
}
