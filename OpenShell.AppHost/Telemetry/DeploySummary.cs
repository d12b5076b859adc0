using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.History;

namespace OpenShell.AppHost.Telemetry;

/// <summary>
/// The watcher's view of the deploy history: the last deploy's total and slowest step, and the steps the regression
/// rule flags in it (also logged as warnings on the watcher's console).
/// </summary>
internal static partial class DeploySummary
{
    /// <summary>The properties for the latest deploy recorded in <paramref name="repositoryRoot"/>'s history.</summary>
    public static async Task<ResourcePropertySnapshot[]> ReadAsync(string repositoryRoot, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(logger);
        DeployHistoryRead read;
        try
        {
            read = await DeployHistory.ForRepository(repositoryRoot).ReadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, ex.Message);
            return [];
        }

        if (read.Entries.Count == 0)
        {
            return [];
        }

        var latest = DeployHistoryReportItem.Last(read.Entries, 1)[0];
        foreach (var regression in latest.Regressions)
        {
            LogRegression(logger, regression.ToString());
        }

        return
        [
            new("watcher.lastTotal", string.Create(CultureInfo.InvariantCulture, $"{latest.Deploy.TotalSeconds:0.0}s ({latest.Deploy.Outcome})")),
            new("watcher.slowestStep", latest.SlowestStep is { } slowest ? string.Create(CultureInfo.InvariantCulture, $"{slowest.Name} {slowest.Seconds:0.0}s") : "none"),
            new("watcher.regression", latest.Regressions.Count == 0 ? "none" : "warning: " + string.Join("; ", latest.Regressions)),
        ];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slower than usual: {Regression}")]
    private static partial void LogRegression(ILogger logger, string regression);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The deploy history could not be read: {Message}")]
    private static partial void LogUnreadable(ILogger logger, string message);
}
