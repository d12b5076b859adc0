using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

public sealed class DeployLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = DeployLoopOptions.DefaultQuietPeriod;
    private static readonly TimeSpan MaxWait = DeployLoopOptions.DefaultMaxWait;
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private readonly ManualTimeProvider _time = new();
    private readonly FakeGitProbe _git = new();
    private readonly ScriptedDeploy _deploy = new();
    private readonly DeployLoop _loop;
    private readonly StatusRecorder _statuses;

    public DeployLoopTests()
    {
        _loop = new DeployLoop(_deploy.InvokeAsync, new DeployLoopOptions(), _git, _time);
        _statuses = new StatusRecorder(_loop);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _loop.DisposeAsync();

    private static TreeChange Change(params string[] paths) => new(paths);

    [Fact]
    public async Task Several_changes_within_the_quiet_period_give_one_deploy_after_it()
    {
        var step = Quiet / 4;
        for (var i = 0; i < 5; i++)
        {
            _loop.OnTreeChanged(Change($"src/File{i}.cs"));
            _time.Advance(step);
        }

        // The last change came at 4 steps: nothing before 4 steps and the quiet period.
        _time.Advance(Quiet - step - Ms);
        Assert.Equal(0, _loop.DeploysStarted);
        Assert.Equal(DeployLoopState.ChangesPending, _loop.Status.State);

        _time.Advance(Ms);
        var call = await _deploy.NextAsync();
        Assert.Equal(DeployTriggerKind.Changes, call.Trigger.Kind);
        Assert.Equal(["src/File0.cs", "src/File1.cs", "src/File2.cs", "src/File3.cs", "src/File4.cs"], call.Trigger.Paths);
        Assert.Equal(5, call.Trigger.EventCount);
        var settled1 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        call.Succeed();
        await settled1;

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public async Task A_steady_stream_of_changes_still_deploys_at_the_maximum_wait()
    {
        var step = Quiet / 2;
        var elapsed = TimeSpan.Zero;
        while (_loop.DeploysStarted == 0)
        {
            Assert.True(elapsed < MaxWait, $"no deploy after {elapsed} of steady changes");
            _loop.OnTreeChanged(Change($"src/Stream{elapsed.TotalMilliseconds}.cs"));
            _time.Advance(step);
            elapsed += step;
        }

        Assert.Equal(MaxWait, elapsed);
        var first = await _deploy.NextAsync();
        Assert.Equal((int)(MaxWait / step), first.Trigger.EventCount);
        var settled2 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        first.Succeed();
        await settled2;

        // The stream goes on for another second, then stops: one more deploy after the quiet period.
        for (var i = 0; i < 5; i++)
        {
            _loop.OnTreeChanged(Change($"src/Tail{i}.cs"));
            _time.Advance(step);
        }

        _time.Advance(Quiet);
        var second = await _deploy.NextAsync();
        Assert.Equal(5, second.Trigger.EventCount);
        var settled3 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        second.Succeed();
        await settled3;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _loop.DeploysStarted);
    }

    [Fact]
    public async Task A_thousand_events_in_a_second_give_one_deploy()
    {
        for (var i = 0; i < 1000; i++)
        {
            _loop.OnTreeChanged(Change($"src/Burst/File{i:D4}.cs"));
            _time.Advance(Ms);
        }

        Assert.Equal(0, _loop.DeploysStarted);
        _time.Advance(Quiet);

        var call = await _deploy.NextAsync();
        Assert.Equal(1000, call.Trigger.EventCount);
        Assert.Equal(1000, call.Trigger.Paths.Count);
        var settled4 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        call.Succeed();
        await settled4;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public async Task Changes_during_a_deploy_queue_exactly_one_follow_up_that_carries_all_of_them()
    {
        _loop.OnTreeChanged(Change("src/A.cs"));
        _time.Advance(Quiet);
        var first = await _deploy.NextAsync();

        _loop.OnTreeChanged(Change("src/B.cs"));
        _time.Advance(100 * Ms);
        _loop.OnTreeChanged(Change("src/C.cs", "src/B.cs"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _loop.DeploysStarted);
        Assert.True(_loop.Status.FollowUpQueued);
        Assert.Equal(DeployLoopState.Deploying, _loop.Status.State);

        first.Succeed();
        var second = await _deploy.NextAsync();
        Assert.Equal(["src/B.cs", "src/C.cs"], second.Trigger.Paths);
        var settled5 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate && s.LastTrigger == second.Trigger);
        second.Succeed();
        await settled5;

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _loop.DeploysStarted);
        Assert.False(_deploy.HasUnseenCall);
    }

    [Fact]
    public async Task Changes_while_paused_are_remembered_and_give_one_deploy_on_resume()
    {
        _loop.Pause();
        Assert.Equal(DeployLoopState.Paused, _loop.Status.State);
        _loop.OnTreeChanged(Change("src/A.cs"));
        _time.Advance(TimeSpan.FromSeconds(2));
        _loop.OnTreeChanged(Change("chart/values.yaml"));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, _loop.DeploysStarted);
        Assert.Equal(DeployLoopState.Paused, _loop.Status.State);
        Assert.Equal(2, _loop.Status.PendingPaths);

        _loop.Resume();
        var call = await _deploy.NextAsync();
        Assert.Equal(["chart/values.yaml", "src/A.cs"], call.Trigger.Paths);
        var settled6 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        call.Succeed();
        await settled6;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public void Resume_without_changes_deploys_nothing()
    {
        _loop.Pause();
        _loop.Resume();
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(0, _loop.DeploysStarted);
        Assert.Equal(DeployLoopState.Watching, _loop.Status.State);
    }

    [Fact]
    public async Task Concurrent_deploy_now_requests_share_one_deploy()
    {
        var a = _loop.DeployNowAsync();
        var b = _loop.DeployNowAsync();
        Assert.Same(a, b);

        var call = await _deploy.NextAsync();
        Assert.Equal(DeployTriggerKind.Manual, call.Trigger.Kind);
        Assert.False(a.IsCompleted);
        call.Succeed();

        var outcomes = await Task.WhenAll(a, b);
        Assert.All(outcomes, o => Assert.True(o.Succeeded));
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public async Task Deploy_now_during_an_automatic_deploy_shares_it()
    {
        _loop.OnTreeChanged(Change("src/A.cs"));
        _time.Advance(Quiet);
        var call = await _deploy.NextAsync();

        var now = _loop.DeployNowAsync();
        Assert.False(now.IsCompleted);
        call.Fail("the registry did not answer");

        var outcome = await now;
        Assert.False(outcome.Succeeded);
        Assert.Equal("the registry did not answer", outcome.Message);
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public async Task Deploy_now_takes_pending_changes_without_waiting_for_the_quiet_period()
    {
        _loop.OnTreeChanged(Change("src/A.cs"));
        var now = _loop.DeployNowAsync();
        var call = await _deploy.NextAsync();
        Assert.Equal(["src/A.cs"], call.Trigger.Paths);
        var settled = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        call.Succeed();
        await now;
        await settled;

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public async Task A_failed_deploy_is_reported_and_retried_on_the_next_change_with_its_paths()
    {
        _loop.OnTreeChanged(Change("src/A.cs"));
        _time.Advance(Quiet);
        var settled7 = _statuses.WaitForAsync(s => s.State == DeployLoopState.Failed);
        (await _deploy.NextAsync()).Fail("docker build failed: see the gateway log");
        var failed = await settled7;
        Assert.Equal("docker build failed: see the gateway log", failed.Reason);

        // No retry loop on its own.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop.DeploysStarted);

        _loop.OnTreeChanged(Change("src/B.cs"));
        _time.Advance(Quiet);
        var retry = await _deploy.NextAsync();
        Assert.Equal(["src/A.cs", "src/B.cs"], retry.Trigger.Paths);
        var settled8 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        retry.Succeed();
        var ok = await settled8;
        Assert.Null(ok.WatchProblem);
    }

    [Fact]
    public async Task A_deploy_that_throws_is_reported_as_failed_and_retried_by_deploy_now()
    {
        _loop.OnTreeChanged(Change("src/A.cs"));
        _time.Advance(Quiet);
        var settled9 = _statuses.WaitForAsync(s => s.State == DeployLoopState.Failed);
        (await _deploy.NextAsync()).Throw(new InvalidOperationException("helm upgrade timed out"));
        var failed = await settled9;
        Assert.Contains("helm upgrade timed out", failed.Reason, StringComparison.Ordinal);

        var retry = _loop.DeployNowAsync();
        var call = await _deploy.NextAsync();
        Assert.Equal(DeployTriggerKind.Manual, call.Trigger.Kind);
        Assert.Equal(["src/A.cs"], call.Trigger.Paths);
        call.Succeed();
        Assert.True((await retry).Succeeded);
    }

    [Fact]
    public async Task A_git_operation_in_progress_holds_the_deploy_beyond_the_maximum_wait_then_gives_one()
    {
        _git.Busy = true;
        _loop.OnTreeChanged(new TreeChange(["src/A.cs"], GitActivity: true));
        _time.Advance(Quiet);
        _loop.OnTreeChanged(Change("src/B.cs"));
        _time.Advance(MaxWait * 3);

        Assert.Equal(0, _loop.DeploysStarted);
        Assert.Equal(DeployLoopState.WaitingForGit, _loop.Status.State);
        Assert.Contains("index.lock", _loop.Status.Reason, StringComparison.Ordinal);

        // Git removes its lock: that is itself a git event.
        _git.Busy = false;
        _loop.OnTreeChanged(new TreeChange([], GitActivity: true));
        _time.Advance(Quiet - Ms);
        Assert.Equal(0, _loop.DeploysStarted);
        _time.Advance(Ms);

        var call = await _deploy.NextAsync();
        Assert.Equal(DeployTriggerKind.GitOperation, call.Trigger.Kind);
        Assert.Equal(["src/A.cs", "src/B.cs"], call.Trigger.Paths);
        var settled10 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        call.Succeed();
        await settled10;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop.DeploysStarted);
    }

    [Fact]
    public async Task A_lost_watch_is_reported_and_gives_a_rescan_deploy()
    {
        _loop.OnWatchLost("too many file events at once");
        Assert.Equal("too many file events at once", _loop.Status.WatchProblem);
        Assert.Contains(_statuses.Seen, s => s.WatchProblem == "too many file events at once");

        _time.Advance(Quiet);
        var call = await _deploy.NextAsync();
        Assert.Equal(DeployTriggerKind.Rescan, call.Trigger.Kind);
        var settled11 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        call.Succeed();
        await settled11;

        _loop.OnWatchRestored();
        Assert.Null(_loop.Status.WatchProblem);
        _time.Advance(Quiet);
        var again = await _deploy.NextAsync();
        Assert.Equal(DeployTriggerKind.Rescan, again.Trigger.Kind);
        again.Succeed();
    }

    [Fact]
    public async Task States_are_published_in_order()
    {
        _loop.OnTreeChanged(Change("src/A.cs"));
        _time.Advance(Quiet);
        var settled12 = _statuses.WaitForAsync(s => s.State == DeployLoopState.UpToDate);
        (await _deploy.NextAsync()).Succeed();
        await settled12;
        _loop.Pause();

        Assert.Equal(
            [DeployLoopState.ChangesPending, DeployLoopState.Deploying, DeployLoopState.UpToDate, DeployLoopState.Paused],
            _statuses.Seen.Select(s => s.State));
    }

    public static TheoryData<TimeSpan, TimeSpan, string> BadOptions => new()
    {
        { TimeSpan.Zero, TimeSpan.FromSeconds(5), "quiet period" },
        { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "maximum wait" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Unworkable_options_are_refused_with_the_setting_named(TimeSpan quiet, TimeSpan maxWait, string named)
    {
        var options = new DeployLoopOptions { QuietPeriod = quiet, MaxWait = maxWait };

        var error = Assert.Throws<ArgumentException>(() => new DeployLoop(_deploy.InvokeAsync, options, _git, _time));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
