namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// When the kubelet runs a container's probe. Its prober starts one worker per probe when the pod is added to the node,
/// each on a ticker of the probe's period from then, and a tick probes only a container that has run for the initial
/// delay. So a container that started after the pod was added is first probed at the next tick, not a whole period after
/// its own start. Times are offsets from the pod's addition to the node.
/// </summary>
internal static class ProbeSchedule
{
    /// <summary>The first tick at or after <paramref name="notBefore"/>.</summary>
    public static TimeSpan TickAtOrAfter(TimeSpan notBefore, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        if (notBefore <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var ticks = (notBefore.Ticks + period.Ticks - 1) / period.Ticks;
        return TimeSpan.FromTicks(ticks * period.Ticks);
    }

    /// <summary>The first probe of a container that started at <paramref name="started"/>: the first tick once it ran for the initial delay.</summary>
    public static TimeSpan First(TimeSpan started, TimeSpan initialDelay, TimeSpan period) =>
        TickAtOrAfter(started + initialDelay, period);

    /// <summary>
    /// The probe after one at <paramref name="last"/> (a tick, or a run triggered between ticks) that ended at
    /// <paramref name="now"/>: the next tick, skipping those that passed while it ran, as Go's ticker drops them.
    /// </summary>
    public static TimeSpan Next(TimeSpan last, TimeSpan now, TimeSpan period) =>
        TickAtOrAfter(now > last ? now : last + TimeSpan.FromTicks(1), period);
}
