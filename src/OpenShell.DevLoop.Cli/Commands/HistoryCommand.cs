using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.History;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// <c>openshell-dev history [--last N] [--json]</c>: the checkout's recent deploys from <c>.cache/deploy-history.jsonl</c>,
/// with the steps that took more than twice their median flagged.
/// </summary>
internal static class HistoryCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var last = new Option<int>("--last", "-n")
        {
            Description = "How many of the latest deploys to show.",
            DefaultValueFactory = _ => 10,
        };
        last.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--last must be 1 or more (the number of deploys to show).");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print the deploys and their regressions as JSON." };
        var repository = PlanningInvocation.CreateRepositoryOption();
        var command = new Command("history", $"Recent deploys of this checkout (from {DeployHistory.RelativePath}): trigger, outcome, total, slowest step, bytes pushed; a step more than {RegressionRule.Factor:0}x its median over the last {RegressionRule.Window} successful runs is flagged.");
        command.Options.Add(last);
        command.Options.Add(json);
        command.Options.Add(repository);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(repository)!, parse.GetValue(last), parse.GetValue(json), stdout, stderr, ct));
        return command;
    }

    private static async Task<int> RunAsync(string folder, int last, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        DeployHistoryRead read;
        try
        {
            read = await DeployHistory.ForRepository(GitRepository.Discover(folder).Root).ReadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GitException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        if (read.SkippedLines > 0)
        {
            await stderr.WriteLineAsync($"warning: {read.SkippedLines} line(s) of {DeployHistory.RelativePath} are not deploy records (cut short by a crash?) and were skipped.").ConfigureAwait(false);
        }

        var items = DeployHistoryReportItem.Last(read.Entries, last);
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(items, DeployHistoryJson.Default.IReadOnlyListDeployHistoryReportItem)).ConfigureAwait(false);
            return 0;
        }

        if (items.Count == 0)
        {
            await stdout.WriteLineAsync($"No deploys recorded yet in {DeployHistory.RelativePath}: 'openshell-dev deploy' and the AppHost add one per deploy.").ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteAsync(Render(items)).ConfigureAwait(false);
        return 0;
    }

    internal static string Render(IReadOnlyList<DeployHistoryReportItem> items)
    {
        string[] header = ["TIME (UTC)", "TRIGGER", "OUTCOME", "TOTAL", "COMPONENTS", "SLOWEST STEP", "PUSHED", ""];
        var rows = items.Select(item => new[]
        {
            item.Deploy.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            item.Deploy.Trigger,
            item.Deploy.Outcome,
            Seconds(item.Deploy.TotalSeconds),
            item.Deploy.Components.Count == 0 ? "-" : string.Join(",", item.Deploy.Components),
            item.SlowestStep is { } slowest ? $"{slowest.Name} {Seconds(slowest.Seconds)}" : "-",
            Bytes(item.Deploy.BytesPushed),
            item.Regressions.Count > 0 ? "REGRESSION" : "",
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Append(header).Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin("  ", row.Select((cell, c) => cell.PadRight(widths[c])));
            TrimEnd(text);
            text.Append('\n');
        }

        foreach (var item in items.Where(i => i.Regressions.Count > 0))
        {
            foreach (var regression in item.Regressions)
            {
                text.Append(CultureInfo.InvariantCulture, $"regression {item.Deploy.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}: {regression}\n");
            }
        }

        foreach (var item in items.Where(i => i.Deploy.Error is not null))
        {
            text.Append(CultureInfo.InvariantCulture, $"failed {item.Deploy.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss} at {item.Deploy.FailedStep ?? "?"}{(item.Deploy.FailedComponent is { } component ? $" ({component})" : "")}: {item.Deploy.Error}\n");
        }

        return text.ToString();
    }

    private static void TrimEnd(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }
    }

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0}s");

    private static string Bytes(long bytes) => bytes switch
    {
        0 => "-",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
    };
}
