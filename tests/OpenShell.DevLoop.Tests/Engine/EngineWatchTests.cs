using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Tests.Watching;

namespace OpenShell.DevLoop.Tests.Engine;

public sealed class EngineWatchTests
{
    private static readonly EngineFacts Facts = new("linux/arm64", "28.2.2", new Dictionary<int, int> { [6443] = 41001 });

    [Fact]
    public async Task A_lost_engine_is_checked_again_with_back_off_and_shows_connected_once_it_answers()
    {
        var time = new ManualTimeProvider();
        var probe = new ScriptedProbe();
        probe.Answer(Facts);
        for (var i = 0; i < 7; i++)
        {
            probe.Fail("ssh exited: Connection refused");
        }

        probe.Answer(Facts with { Forwards = new Dictionary<int, int> { [6443] = 41001, [30051] = 41002 } });
        var watch = new EngineWatch(probe, "ssh://root@gpu-box (DOCKER_HOST)", time);
        var seen = new List<EngineStatus>();
        watch.Changed += seen.Add;
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(stop.Token);

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            var wait = await ParkedAsync(time);
            waits.Add(wait);
            time.Advance(wait);
        }

        await ParkedAsync(time);
        await stop.CancelAsync();
        await run;

        // Connected: every 5 s; then 1, 2, 4, 8, 16, 30, 30 s after failures.
        Assert.Equal([5, 1, 2, 4, 8, 16, 30, 30], waits.Select(w => (int)w.TotalSeconds));
        Assert.Equal(9, probe.Checks);
        Assert.Equal(EngineLink.Connected, seen[0].Link);
        Assert.Equal([EngineLink.Lost], seen.Skip(1).Take(7).Select(s => s.Link).Distinct());
        Assert.Equal(Enumerable.Range(1, 7), seen.Skip(1).Take(7).Select(s => s.FailedChecks));
        var lost = seen[7];
        Assert.Contains("Connection refused", lost.Problem!.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), lost.RetryIn);
        Assert.Equal("linux/arm64", lost.Facts!.Platform);

        var back = seen[^1];
        Assert.Equal(EngineLink.Connected, back.Link);
        Assert.Equal(0, back.FailedChecks);
        Assert.Null(back.Problem);
        Assert.Equal(2, back.Facts!.Forwards.Count);
        Assert.False(watch.IsRunning);
    }

    [Fact]
    public async Task An_unchanged_healthy_engine_raises_nothing_after_its_first_check()
    {
        var time = new ManualTimeProvider();
        var probe = new ScriptedProbe();
        for (var i = 0; i < 4; i++)
        {
            probe.Answer(Facts);
        }

        var watch = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", time);
        var seen = new List<EngineStatus>();
        watch.Changed += seen.Add;
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(stop.Token);
        for (var i = 0; i < 3; i++)
        {
            time.Advance(await ParkedAsync(time));
        }

        await ParkedAsync(time);
        await stop.CancelAsync();
        await run;

        Assert.Equal(4, probe.Checks);
        Assert.Single(seen);
    }

    [Fact]
    public async Task A_deploy_waiting_for_a_lost_engine_checks_at_once_and_goes_on_when_it_answers()
    {
        var time = new ManualTimeProvider();
        var probe = new ScriptedProbe();
        probe.Fail("connection refused");
        probe.Fail("connection refused");
        probe.Answer(Facts);
        var watch = new EngineWatch(probe, "ssh://root@gpu-box (DOCKER_HOST)", time);
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(stop.Token);
        await ParkedAsync(time);
        Assert.Equal(EngineLink.Lost, watch.Current.Link);

        // The wait does not sit out the back-off: it asks for a check now (the second failure), then the back-off's next.
        var waiting = watch.WaitUntilConnectedAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        // The probe counts a check before the watch records its outcome: wait for the record.
        await UntilAsync(() => watch.Current.FailedChecks == 2);
        Assert.Equal(2, probe.Checks);
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(EngineLink.Connected, watch.Current.Link);
        Assert.Equal(3, probe.Checks);

        // Connected: no wait, no check.
        await watch.WaitUntilConnectedAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.Equal(3, probe.Checks);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_deploy_waiting_past_its_budget_fails_naming_the_last_failure_and_its_remedy()
    {
        var time = new ManualTimeProvider();
        var probe = new ScriptedProbe();
        for (var i = 0; i < 10; i++)
        {
            probe.Fail("Permission denied (publickey)", "add the key to ssh-agent");
        }

        var watch = new EngineWatch(probe, "ssh://root@gpu-box (DOCKER_HOST)", time);
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(stop.Token);
        await ParkedAsync(time);

        var waiting = watch.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await UntilAsync(() => watch.Current.FailedChecks == 2);
        for (var i = 0; i < 12 && !waiting.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("did not come back within 10 s, so nothing was deployed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Permission denied (publickey)", error.Message, StringComparison.Ordinal);
        Assert.Equal("add the key to ssh-agent", error.Remedy);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_dropped_connection_counts_as_lost_at_once_and_is_checked_straight_away()
    {
        var time = new ManualTimeProvider();
        var probe = new ScriptedProbe();
        probe.Answer(Facts);
        probe.Answer(Facts);
        var watch = new EngineWatch(probe, "unix:///var/run/docker.sock (default)", time);
        var seen = new List<EngineStatus>();
        watch.Changed += seen.Add;
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(stop.Token);
        await UntilAsync(() => probe.Streams == 1);

        // The engine restarts between two checks, before the interval is up: no time passes.
        probe.Drop();
        await UntilAsync(() => probe.Checks == 2 && watch.Current.Link == EngineLink.Connected);

        Assert.Equal([EngineLink.Connected, EngineLink.Lost, EngineLink.Connected], seen.Select(s => s.Link));
        Assert.Contains("dropped: the engine restarted or went away", seen[1].Problem!.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, seen[1].RetryIn);

        // The stream opens again only after the pause, so a stream that keeps failing does not spin.
        Assert.Equal(1, probe.Streams);
        time.Advance(EngineWatch.DropPause);
        await UntilAsync(() => probe.Streams == 2);
        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(40, 30)]
    public void Back_off_doubles_up_to_thirty_seconds(int failedChecks, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), EngineWatch.Backoff(failedChecks));

    // The loop is parked once its only timer is armed; returns how long until it fires.
    private static async Task<TimeSpan> ParkedAsync(ManualTimeProvider time)
    {
        await UntilAsync(() => time.Pending.Count == 1);
        return time.Pending[0];
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the watch did not get there within 5 s");
    }

    private sealed class ScriptedProbe : IEngineProbe
    {
        private readonly Queue<Func<EngineFacts>> _script = new();
        private TaskCompletionSource _drop = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _checks;
        private int _streams;

        public int Checks => Volatile.Read(ref _checks);

        public int Streams => Volatile.Read(ref _streams);

        public void Drop() => Interlocked.Exchange(ref _drop, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        public Task WaitForDropAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref _streams);
            return Volatile.Read(ref _drop).Task.WaitAsync(ct);
        }

        public void Answer(EngineFacts facts) => _script.Enqueue(() => facts);

        public void Fail(string message, string? remedy = null) => _script.Enqueue(() => throw new EngineConnectionException(message, remedy));

        public Task<EngineFacts> CheckAsync(CancellationToken ct)
        {
            var next = _script.Dequeue();
            Interlocked.Increment(ref _checks);
            return Task.FromResult(next());
        }
    }
}
