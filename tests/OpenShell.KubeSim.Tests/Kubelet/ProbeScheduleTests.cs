using OpenShell.KubeSim.Kubelet;

namespace OpenShell.KubeSim.Tests.Kubelet;

/// <summary>The kubelet's probe ticker: from the pod's addition, every period; a tick probes a container that ran for the initial delay.</summary>
public sealed class ProbeScheduleTests
{
    // started, initial delay, period -> first probe (seconds since the pod was added)
    [Theory]
    [InlineData(0.7, 0, 2, 2.0)] // the container started 0.7 s after the pod was added: probed at the next tick, 1.3 s after its start
    [InlineData(2.0, 0, 2, 2.0)] // started on a tick: probed on it
    [InlineData(2.1, 0, 2, 4.0)]
    [InlineData(0.7, 1, 2, 2.0)] // ran 1.3 s at the tick: past the initial delay
    [InlineData(1.5, 1, 2, 4.0)] // ran 0.5 s at the tick: not yet
    [InlineData(0.0, 0, 10, 0.0)]
    [InlineData(0.3, 5, 1, 6.0)]
    public void The_first_probe_is_the_first_tick_after_the_start_and_the_initial_delay(double started, double initialDelay, double period, double expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), ProbeSchedule.First(TimeSpan.FromSeconds(started), TimeSpan.FromSeconds(initialDelay), TimeSpan.FromSeconds(period)));

    // last probe, when it ended, period -> next probe
    [Theory]
    [InlineData(2.0, 2.0, 2, 4.0)] // a probe that took no time: the next tick
    [InlineData(2.0, 2.9, 2, 4.0)]
    [InlineData(2.0, 4.5, 2, 6.0)] // longer than a period: the missed tick is dropped
    [InlineData(2.6, 2.7, 2, 4.0)] // a run triggered between ticks: the ticker goes on as before
    [InlineData(4.0, 4.0, 2, 6.0)]
    public void The_next_probe_is_the_next_tick_not_yet_passed(double last, double now, double period, double expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), ProbeSchedule.Next(TimeSpan.FromSeconds(last), TimeSpan.FromSeconds(now), TimeSpan.FromSeconds(period)));

    [Fact]
    public void A_period_of_zero_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeSchedule.TickAtOrAfter(TimeSpan.FromSeconds(1), TimeSpan.Zero));
}
