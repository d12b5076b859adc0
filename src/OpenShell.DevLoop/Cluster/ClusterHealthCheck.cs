namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// The cluster image's Docker health check timings (deploy/docker/Dockerfile.cluster), OpenShell's: a slow first boot
/// is declared unhealthy only after the start period plus every retry.
/// </summary>
public static class ClusterHealthCheck
{
    /// <summary>Seconds between checks.</summary>
    public const int IntervalSeconds = 5;

    /// <summary>Seconds one check may take.</summary>
    public const int TimeoutSeconds = 5;

    /// <summary>Seconds after start during which failures do not count.</summary>
    public const int StartPeriodSeconds = 20;

    /// <summary>Consecutive failures before the node is unhealthy.</summary>
    public const int Retries = 60;

    /// <summary>How long a booting node can stay "starting" before Docker calls it unhealthy: 20 s + 60 × 5 s.</summary>
    public const int LongestStartSeconds = StartPeriodSeconds + (Retries * IntervalSeconds);
}
