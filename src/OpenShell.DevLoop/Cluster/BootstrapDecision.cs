using System.Globalization;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Cluster;

/// <summary>The bootstrap decision and why it was taken.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Reason">Why, in words for the log.</param>
/// <param name="Problem">What is wrong with the container as found (it is missing, or not running and healthy); null when it can be reused.</param>
public sealed record BootstrapDecision(BootstrapAction Action, string Reason, string? Problem = null)
{
    /// <summary>True when a container was found and is running, healthy or not.</summary>
    public bool ContainerRunning { get; init; }

    /// <summary>The exit code of a container found exited (<see cref="BootstrapAction.Start"/>); null otherwise.</summary>
    public long? ExitCode { get; init; }

    /// <summary>
    /// Decides from the container found under the cluster's name (null when there is none), as upstream does, except that
    /// an exited container is started again rather than recreated.
    /// </summary>
    public static BootstrapDecision Decide(string containerName, ContainerInspectResponse? container)
    {
        if (container is null)
        {
            return new(BootstrapAction.Create, $"no container named {containerName} exists", $"no container named {containerName} exists");
        }

        var state = container.State;
        var health = state?.Health?.Status;
        if (string.Equals(health, "healthy", StringComparison.Ordinal) && state is { Running: true })
        {
            return new(BootstrapAction.Reuse, $"container {containerName} is running and healthy") { ContainerRunning = true };
        }

        var status = state?.Status ?? "unknown";

        // An exited node (the engine crashed or restarted, the machine rebooted) still holds its volume and what was
        // deployed to it: it is started again. A dead or never-started one is recreated.
        if (state is { Running: false, Status: "exited" })
        {
            var stopped = $"container {containerName} is not running (state 'exited')";
            return new(BootstrapAction.Start, $"cluster node {containerName} was stopped (exit {state.ExitCode.ToString(CultureInfo.InvariantCulture)}); it is started again with its volume", stopped)
            {
                ExitCode = state.ExitCode,
            };
        }

        // A stopped container keeps its last health status, often 'healthy': what matters is that it does not run.
        var problem = state is not { Running: true } ? $"container {containerName} is not running (state '{status}')" : health switch
        {
            null or "" => $"container {containerName} is not healthy: it has no health status (state '{status}'): it was not made from a cluster image with a health check",
            _ => $"container {containerName} is not healthy: its health is '{health}' (state '{status}')",
        };
        return new(BootstrapAction.Recreate, $"{problem}; it is removed with its volume and bootstrapped again", problem) { ContainerRunning = state is { Running: true } };
    }
}
