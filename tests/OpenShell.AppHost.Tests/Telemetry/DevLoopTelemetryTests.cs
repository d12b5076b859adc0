using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.AppHost.Telemetry;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.History;
using OpenShell.Testing;
using OpenTelemetry.Exporter;

namespace OpenShell.AppHost.Tests.Telemetry;

/// <summary>The AppHost's own dev-loop telemetry: the dashboard's endpoint and key, the export, the watcher's summary.</summary>
public sealed class DevLoopTelemetryTests
{
    public static TheoryData<Dictionary<string, string?>, string?, OtlpExportProtocol, string?> Endpoints => new()
    {
        { new() { ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://127.0.0.1:18889", ["AppHost:OtlpApiKey"] = "k1" }, "http://127.0.0.1:18889/", OtlpExportProtocol.Grpc, "k1" },
        { new() { ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://127.0.0.1:18889", ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = "http://127.0.0.1:18890" }, "http://127.0.0.1:18890/", OtlpExportProtocol.HttpProtobuf, null },
        { new() { ["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = "https://localhost:21000;http://localhost:21001" }, "https://localhost:21000/", OtlpExportProtocol.Grpc, null },
        { new() { ["AppHost:OtlpApiKey"] = "k1" }, null, OtlpExportProtocol.Grpc, null },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void The_dashboard_endpoint_and_key_come_from_aspires_own_configuration(Dictionary<string, string?> values, string? endpoint, OtlpExportProtocol protocol, string? key)
    {
        var dashboard = DashboardOtlp.Resolve(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

        Assert.Equal(endpoint, dashboard?.Endpoint.ToString());
        if (dashboard is not null)
        {
            Assert.Equal(protocol, dashboard.Protocol);
            Assert.Equal(key, dashboard.ApiKey);
        }
    }

    [Fact]
    public async Task Deploy_traces_and_metrics_reach_the_dashboard_with_its_api_key_as_the_watcher_service()
    {
        using var collector = new OtlpHttpCollector();
        var trigger = $"test-{Guid.NewGuid():N}";

        using (new DevLoopTelemetryExport(new DashboardOtlp(new Uri(collector.Endpoint), OtlpExportProtocol.HttpProtobuf, "dashboard-key")))
        {
            using var run = new DeployRun(null, NullLogger.Instance, trigger);
            run.Total(TimeSpan.FromSeconds(3), succeeded: true);
        }

        var traces = await collector.WaitForAsync("/v1/traces", trigger);
        Assert.Equal("dashboard-key", traces.ApiKey);
        Assert.Contains(DevLoopTelemetryExport.ServiceName, traces.Body, StringComparison.Ordinal);
        var metrics = await collector.WaitForAsync("/v1/metrics", "openshell.deploy.duration");
        Assert.Equal("dashboard-key", metrics.ApiKey);
    }

    [Fact]
    public async Task The_watcher_shows_the_last_total_the_slowest_step_and_a_regression_as_a_warning()
    {
        using var folder = new TempDirectory();
        var history = DeployHistory.ForRepository(folder.Path);
        for (var i = 0; i < 6; i++)
        {
            await history.AppendAsync(Entry(i, supervisor: 2.0));
        }

        await history.AppendAsync(Entry(6, supervisor: 9.0));
        var logger = new RecordingLogger();

        var properties = (await DeploySummary.ReadAsync(folder.Path, logger)).ToDictionary(p => p.Name, p => p.Value);

        Assert.Equal("9.5s (succeeded)", properties["watcher.lastTotal"]);
        Assert.Equal("supervisor 9.0s", properties["watcher.slowestStep"]);
        Assert.StartsWith("warning: supervisor 9.0s is 4.5x its median 2.0s", (string)properties["watcher.regression"]!, StringComparison.Ordinal);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("supervisor 9.0s is 4.5x", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_history_the_watcher_shows_nothing_new() =>
        Assert.Empty(await DeploySummary.ReadAsync(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), NullLogger.Instance));

    private static DeployHistoryEntry Entry(int n, double supervisor) => new(
        new DateTimeOffset(2026, 1, 1, 0, n, 0, TimeSpan.Zero), "file-change", DeployOutcomes.Succeeded, supervisor + 0.5, ["supervisor"],
        new Dictionary<string, IReadOnlyList<string>>(),
        [new DeployHistoryStep("plan", DeployOutcomes.Succeeded, 0.5), new DeployHistoryStep("supervisor", DeployOutcomes.Succeeded, supervisor, "supervisor")],
        0);

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
