namespace OpenShell.DevLoop.Watching;

/// <summary>How long the deploy loop waits before it acts on file changes.</summary>
internal sealed record DeployLoopOptions
{
    /// <summary>
    /// The default quiet period: Tilt's (200 ms). An editor's save, a formatter's burst and a "save all" land well
    /// within it; anything longer is caught by the one follow-up deploy the loop queues.
    /// </summary>
    public static readonly TimeSpan DefaultQuietPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>The default maximum wait.</summary>
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(5);

    /// <summary>A deploy starts once no change arrived for this long.</summary>
    public TimeSpan QuietPeriod { get; init; } = DefaultQuietPeriod;

    /// <summary>
    /// A steady stream of changes still deploys this long after its first change
    /// (not while a git operation is in progress: git is always waited for).
    /// </summary>
    public TimeSpan MaxWait { get; init; } = DefaultMaxWait;

    /// <summary>Throws with the setting's name when a value cannot work.</summary>
    public void Validate()
    {
        if (QuietPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The watcher's quiet period must be positive, got {QuietPeriod}: set it to a duration such as 00:00:00.200.", nameof(QuietPeriod));
        }

        if (MaxWait < QuietPeriod)
        {
            throw new ArgumentException($"The watcher's maximum wait ({MaxWait}) is shorter than its quiet period ({QuietPeriod}): set it to at least the quiet period.", nameof(MaxWait));
        }
    }
}
