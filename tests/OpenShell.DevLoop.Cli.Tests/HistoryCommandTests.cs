using System.Text.Json;
using OpenShell.DevLoop.History;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary><c>openshell-dev history</c> over a history file written by the engine.</summary>
public sealed class HistoryCommandTests : IAsyncLifetime
{
    private GitTestRepository _repository = null!;

    public async Task InitializeAsync() => _repository = await GitTestRepository.CreateAsync();

    public Task DisposeAsync()
    {
        _repository.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_table_lists_the_last_deploys_and_flags_a_step_over_twice_its_median()
    {
        var history = DeployHistory.ForRepository(_repository.Root);
        for (var i = 0; i < 6; i++)
        {
            await history.AppendAsync(Entry(i, supervisorSeconds: 2.0));
        }

        await history.AppendAsync(Entry(6, supervisorSeconds: 7.5) with { BytesPushed = 3 * 1024 * 1024 });

        var (exit, stdout, stderr) = await CliRunner.RunAsync("history", "--last", "2", "-C", _repository.Root);

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TIME (UTC)", lines[0], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^2026-01-01 00:05:00\s+file-change\s+succeeded\s+2\.2s\s+supervisor\s+supervisor 2\.0s\s+-$", lines[1]);
        Assert.Matches(@"^2026-01-01 00:06:00\s+file-change\s+succeeded\s+7\.7s\s+supervisor\s+supervisor 7\.5s\s+3\.0 MiB\s+REGRESSION$", lines[2]);
        Assert.Equal("regression 2026-01-01 00:06:00: supervisor 7.5s is 3.8x its median 2.0s over the last 6 successful runs", lines[3]);
    }

    [Fact]
    public async Task Json_prints_each_deploy_with_its_regressions()
    {
        var history = DeployHistory.ForRepository(_repository.Root);
        await history.AppendAsync(Entry(0, supervisorSeconds: 2.0) with { Outcome = DeployOutcomes.Failed, Error = "copy failed", FailedStep = "supervisor" });

        var (exit, stdout, _) = await CliRunner.RunAsync("history", "--json", "-C", _repository.Root);

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(stdout);
        var item = Assert.Single(document.RootElement.EnumerateArray().ToList());
        Assert.Equal("failed", item.GetProperty("deploy").GetProperty("outcome").GetString());
        Assert.Equal("copy failed", item.GetProperty("deploy").GetProperty("error").GetString());
        Assert.Equal(0, item.GetProperty("regressions").GetArrayLength());
    }

    [Fact]
    public async Task Without_a_history_it_says_where_deploys_are_recorded()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("history", "-C", _repository.Root);

        Assert.Equal(0, exit);
        Assert.Contains("No deploys recorded yet in .cache/deploy-history.jsonl", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_count_below_one_is_refused()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("history", "--last", "0", "-C", _repository.Root);

        Assert.NotEqual(0, exit);
        Assert.Contains("--last must be 1 or more", stderr, StringComparison.Ordinal);
    }

    private static DeployHistoryEntry Entry(int n, double supervisorSeconds) => new(
        new DateTimeOffset(2026, 1, 1, 0, n, 0, TimeSpan.Zero),
        "file-change",
        DeployOutcomes.Succeeded,
        supervisorSeconds + 0.2,
        ["supervisor"],
        new Dictionary<string, IReadOnlyList<string>> { ["supervisor"] = ["src/OpenShell.Sandbox/Program.cs"] },
        [
            new DeployHistoryStep("plan", DeployOutcomes.Succeeded, 0.2),
            new DeployHistoryStep("supervisor", DeployOutcomes.Succeeded, supervisorSeconds, "supervisor"),
            new DeployHistoryStep("image push", DeployOutcomes.Skipped, 0, "gateway"),
        ],
        BytesPushed: 0);
}
