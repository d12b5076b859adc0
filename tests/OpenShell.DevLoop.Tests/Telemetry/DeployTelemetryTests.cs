using System.Diagnostics;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.History;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Telemetry;
using OpenShell.DevLoop.Tests.Planning;
using OpenShell.DevLoop.Watching;
using OpenTelemetry.Metrics;

namespace OpenShell.DevLoop.Tests.Telemetry;

/// <summary>Traces and metrics of deploys, through the OpenTelemetry SDK's in-memory exporters.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class DeployTelemetryTests
{
    private const string Sha = "5f2b9d0c1e7a4b3c8d6e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e";

    [Fact]
    public async Task A_deploy_is_one_trace_with_a_span_per_step_and_phase_and_their_attributes()
    {
        using var capture = new TelemetryCapture();
        using var fixture = await PlannerFixture.CreateAsync();
        var plan = await fixture.PlanAsync("all");
        var trigger = Trigger();

        // A caller inside a span of its own still gets a trace per deploy.
        using var source = new ActivitySource("ambient-test");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using (var ambient = source.StartActivity("outer"))
        using (var run = new DeployRun(null, NullLogger.Instance, trigger))
        {
            Assert.NotNull(ambient);
            Assert.Same(ambient, Activity.Current);
            await SimulateDeployAsync(run, plan);
            run.Total(TimeSpan.FromSeconds(1), succeeded: true);
        }

        var spans = capture.TraceOf(trigger);
        var root = Assert.Single(spans, s => s.OperationName == "deploy");
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Ok, root.Status);
        Assert.Equal(["gateway", "supervisor", "chart"], (string[])root.GetTagItem(TelemetryTags.Components)!);
        Assert.Equal("succeeded", root.GetTagItem(TelemetryTags.Outcome));

        string Parent(string name) => spans.Single(s => s.SpanId == spans.Single(c => c.OperationName == name).ParentSpanId).OperationName;
        foreach (var step in new[] { "plan", "gateway build", "image push", "supervisor", "chart update", "rollout wait" })
        {
            Assert.Equal("deploy", Parent(step));
        }

        Assert.Equal("gateway build", Parent("publish gateway"));
        Assert.Equal("gateway build", Parent("image build"));
        Assert.Equal("supervisor", Parent("publish supervisor"));
        Assert.Equal("supervisor", Parent("supervisor swap"));
        Assert.Equal(11, spans.Count);

        var push = spans.Single(s => s.OperationName == "image push");
        Assert.Equal("gateway", push.GetTagItem(TelemetryTags.Component));
        Assert.Equal(4096L, push.GetTagItem(TelemetryTags.PushBytes));
        Assert.Equal(3, push.GetTagItem(TelemetryTags.LayersReused));
        Assert.Equal(1, push.GetTagItem(TelemetryTags.LayersPushed));
        var swap = spans.Single(s => s.OperationName == "supervisor swap");
        Assert.Equal(Sha, swap.GetTagItem(TelemetryTags.SupervisorSha256));
        Assert.Equal("supervisor", swap.GetTagItem(TelemetryTags.Component));
        Assert.Equal("chart", spans.Single(s => s.OperationName == "chart update").GetTagItem(TelemetryTags.Component));
        Assert.True(spans.Single(s => s.OperationName == "gateway build").Duration >= TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task A_failed_step_marks_its_span_and_the_root_as_errors_and_names_the_step()
    {
        using var capture = new TelemetryCapture();
        using var fixture = await PlannerFixture.CreateAsync();
        var plan = await fixture.PlanAsync("all");
        var trigger = Trigger();

        using (var run = new DeployRun(null, NullLogger.Instance, trigger))
        {
            await run.StepAsync(DeployStep.ChangeDetection, null, () => { run.Planned(plan); return Task.FromResult((plan, "planned")); });
            var error = await Assert.ThrowsAsync<DeployException>(() => run.StepAsync<bool>(DeployStep.GatewayRollout, "gateway",
                () => throw new InvalidOperationException("the gateway did not roll out within 5 s")));
            run.Total(TimeSpan.FromSeconds(6), succeeded: false, error);
        }

        var spans = capture.TraceOf(trigger);
        var rollout = spans.Single(s => s.OperationName == "rollout wait");
        Assert.Equal(ActivityStatusCode.Error, rollout.Status);
        Assert.Equal("the gateway did not roll out within 5 s", rollout.StatusDescription);
        Assert.Contains(rollout.Events, e => e.Name == "exception");
        var root = spans.Single(s => s.OperationName == "deploy");
        Assert.Equal(ActivityStatusCode.Error, root.Status);
        Assert.Equal("rollout wait", root.GetTagItem(TelemetryTags.FailedStep));
        Assert.Equal("failed", root.GetTagItem(TelemetryTags.Outcome));
        Assert.Equal(ActivityStatusCode.Unset, spans.Single(s => s.OperationName == "plan").Status);
    }

    [Fact]
    public async Task A_deploy_records_its_duration_steps_plan_and_pushed_bytes_with_units()
    {
        using var capture = new TelemetryCapture();
        using var fixture = await PlannerFixture.CreateAsync();
        var plan = await fixture.PlanAsync("all");

        using (var run = new DeployRun(null, NullLogger.Instance, Trigger()))
        {
            await SimulateDeployAsync(run, plan);
            run.Total(TimeSpan.FromSeconds(2.5), succeeded: true);
        }

        var deploy = capture.Metric("openshell.deploy.duration");
        Assert.Equal("s", deploy.Unit);
        var point = Assert.Single(deploy.MetricPoints);
        Assert.Equal(("openshell.deploy.outcome", "succeeded"), Tag(point, "openshell.deploy.outcome"));
        Assert.Equal(2.5, point.GetHistogramSum(), 3);

        var steps = capture.Metric("openshell.deploy.step.duration");
        Assert.Equal("s", steps.Unit);
        Assert.Contains(steps.MetricPoints, p => Tag(p, "openshell.deploy.step").Value == "gateway build" && Tag(p, "openshell.component").Value == "gateway" && p.GetHistogramSum() >= 0.02);
        Assert.Contains(steps.MetricPoints, p => Tag(p, "openshell.deploy.step").Value == "supervisor swap" && Tag(p, "openshell.component").Value == "supervisor");
        Assert.Contains(steps.MetricPoints, p => Tag(p, "openshell.deploy.step").Value == "chart update" && Tag(p, "openshell.component").Value == "chart");

        var push = capture.Metric("openshell.push.bytes");
        Assert.Equal("By", push.Unit);
        Assert.Equal(4096, Assert.Single(push.MetricPoints).GetSumLong());

        var planned = capture.Metric("openshell.plan.duration");
        Assert.Equal(1, Assert.Single(planned.MetricPoints).GetHistogramCount());
    }

    [Fact]
    public async Task The_watcher_counts_each_change_batch_by_kind()
    {
        using var capture = new TelemetryCapture();
        await using var loop = new DeployLoop((_, _) => Task.FromResult(DeployOutcome.Success()), new DeployLoopOptions { QuietPeriod = TimeSpan.FromHours(1), MaxWait = TimeSpan.FromHours(2) },
            new Watching.FakeGitProbe());

        loop.OnTreeChanged(new TreeChange(["a.cs"]));
        loop.OnTreeChanged(new TreeChange(["b.cs"]));
        loop.OnTreeChanged(TreeChange.FullRescan);

        var events = capture.Metric("openshell.watcher.events");
        Assert.Equal(2, events.MetricPoints.Single(p => Tag(p, "openshell.watcher.event_kind").Value == "changes").GetSumLong());
        Assert.Equal(1, events.MetricPoints.Single(p => Tag(p, "openshell.watcher.event_kind").Value == "rescan").GetSumLong());
    }

    [Fact]
    public async Task The_fast_deployer_traces_a_deploy_and_adds_it_to_the_history()
    {
        using var capture = new TelemetryCapture();
        using var fixture = await PlannerFixture.CreateAsync();
        await fixture.RecordDeployAsync();
        using var docker = new DockerClientConfiguration(new Uri("unix:///nonexistent.sock")).CreateClient();
        var deployer = new FastDeployer(docker, new OpenShellSettings(), NullLogger.Instance, fixture.Planner);
        var trigger = Trigger();

        // Nothing changed since the recorded deploy: the deploy plans and ends without touching the engine.
        var result = await deployer.DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings) { Trigger = trigger });

        Assert.True(result.NothingToDo);
        var spans = capture.TraceOf(trigger);
        Assert.Equal(["deploy", "plan"], spans.Select(s => s.OperationName).Order(StringComparer.Ordinal));
        var history = await DeployHistory.ForRepository(fixture.Repository.Root).ReadAsync();
        var entry = Assert.Single(history.Entries);
        Assert.Equal(trigger, entry.Trigger);
        Assert.Equal("succeeded", entry.Outcome);
        Assert.Equal("plan", Assert.Single(entry.Steps).Name);

        // An unknown target fails the plan step: the trace and the history say so.
        var failing = Trigger();
        await Assert.ThrowsAsync<InvalidTargetException>(() =>
            deployer.DeployAsync(new DeployRequest(fixture.Repository.Root, ["nonsense"], fixture.Settings) { Trigger = failing }));
        var failed = capture.TraceOf(failing);
        Assert.All(failed, s => Assert.Equal(ActivityStatusCode.Error, s.Status));
        history = await DeployHistory.ForRepository(fixture.Repository.Root).ReadAsync();
        Assert.Equal(2, history.Entries.Count);
        Assert.Equal("failed", history.Entries[1].Outcome);
        Assert.Equal("plan", history.Entries[1].FailedStep);
        Assert.Contains("nonsense", history.Entries[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deploy_that_waited_for_the_checkout_lock_records_the_wait()
    {
        using var fixture = await PlannerFixture.CreateAsync();
        await fixture.RecordDeployAsync();
        using var docker = new DockerClientConfiguration(new Uri("unix:///nonexistent.sock")).CreateClient();
        var deployer = new FastDeployer(docker, new OpenShellSettings(), NullLogger.Instance, fixture.Planner);

        await deployer.DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings));
        Task<DeployResult> waiting;
        using (await DeployLock.AcquireAsync(fixture.Repository.Root, TimeSpan.FromSeconds(5), () => { }))
        {
            waiting = deployer.DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings));
            await Task.Delay(600);
        }

        await waiting;
        var history = await DeployHistory.ForRepository(fixture.Repository.Root).ReadAsync();
        Assert.Equal(2, history.Entries.Count);
        Assert.True(history.Entries[0].LockWaitSeconds < 0.5, $"a free lock cost {history.Entries[0].LockWaitSeconds:0.000} s");
        var waited = history.Entries[1];
        Assert.True(waited.LockWaitSeconds >= 0.5, $"the wait was {waited.LockWaitSeconds:0.000} s");
    }

    private static string Trigger() => $"test-{Guid.NewGuid():N}";

    private static (string Key, string? Value) Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return (key, tag.Value?.ToString());
            }
        }

        return (key, null);
    }

    // The shape of a full deploy as FastDeployer drives it; the bodies stand in for builds, pushes and waits.
    private static async Task SimulateDeployAsync(DeployRun run, DevLoop.Planning.DeployPlan plan)
    {
        await run.StepAsync(DeployStep.ChangeDetection, null, () => { run.Planned(plan); return Task.FromResult((plan, "planned")); });
        var supervisor = run.StepAsync(DeployStep.Supervisor, "supervisor", async () =>
        {
            await run.PhaseAsync(DeployStep.Supervisor, "supervisor", DeploySpanNames.Publish("supervisor"), () => Task.FromResult("/tmp/openshell-sandbox"));
            var sha = await run.PhaseAsync(DeployStep.Supervisor, "supervisor", DeploySpanNames.Swap("supervisor"), () => Task.FromResult(Sha),
                value => [new(TelemetryTags.SupervisorSha256, value)]);
            return (sha, "swapped");
        });
        await run.StepAsync(DeployStep.Builds, "gateway", async () =>
        {
            // 30 ms for an assertion of at least 20: a timer may fire a little before the wall clock says it should.
            await run.PhaseAsync(DeployStep.Builds, "gateway", DeploySpanNames.Publish("gateway"), async () => { await Task.Delay(30); return "out"; });
            await run.PhaseAsync(DeployStep.Builds, "gateway", DeploySpanNames.ImageBuild, () => Task.FromResult("tag"));
            return (true, "built");
        });
        await run.StepAsync(DeployStep.ImagePush, "gateway", () =>
        {
            var image = new GatewayImage("r/gateway:dev", "r/gateway", "sha256:" + Sha) { BytesPushed = 4096, LayersPushed = 1, LayersReused = 3 };
            run.Pushed("gateway", image);
            return Task.FromResult((image, "pushed"));
        });
        await run.StepAsync(DeployStep.HelmUpgrade, "chart", () => Task.FromResult((true, "HelmChart updated")));
        await run.StepAsync(DeployStep.GatewayRollout, "gateway", () => Task.FromResult((true, "rolled")));
        await supervisor;
    }
}
