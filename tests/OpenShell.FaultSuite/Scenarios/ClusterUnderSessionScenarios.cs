using System.Diagnostics;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// The cluster node stopped, then removed, under a running dev session (the one the AppHost runs; its dashboard shows the
/// session's events): "deploy now" fails before any step, naming what happened and the fix, the cluster shows it, nothing
/// is recorded, and the session's Recreate brings everything back. The AppHost's own commands on the same path are
/// tested in <c>DevLoopFunctionalTests</c>.
/// </summary>
internal static class ClusterUnderSessionScenarios
{
    public static IEnumerable<FaultScenario> All() =>
    [
        new("cluster stopped, then removed, under a session", "docker stop, then docker rm -f of the node; deploy now; Recreate", RunAsync) { NeedsDocker = true },
    ];

    private static async Task<ScenarioResult> RunAsync(CancellationToken ct)
    {
        var cluster = await SuiteCluster.GetAsync();
        var settings = cluster.LoadSettings(offline: true);
        var shown = new List<ClusterChanged>();
        await using var session = new DevSession(settings, DevSessionServices.ForDocker(cluster.Docker, settings, NullLogger.Instance));
        session.Changed += e =>
        {
            if (e is ClusterChanged changed)
            {
                lock (shown)
                {
                    shown.Add(changed);
                }
            }
        };
        await session.UpAsync(recreate: false, null, ct);
        var before = await cluster.ContainerIdAsync();

        // An edit the failed deploys would have shipped: the state must not record it.
        File.AppendAllText(Path.Combine(cluster.Root, "deploy/helm/openshell/values.yaml"), $"# {Guid.NewGuid():N}\n");
        var recorded = await ReadStateAsync(cluster, ct);
        var checks = new List<InvariantCheck>();

        await cluster.Docker.Containers.StopContainerAsync(cluster.ContainerName, new ContainerStopParameters { WaitBeforeKillSeconds = 2 }, ct);
        await DeployNowFailsAsync(session, cluster, recorded, shown, "stopped", "is not running", checks, ct);

        await cluster.Docker.Containers.RemoveContainerAsync(cluster.ContainerName, new ContainerRemoveParameters { Force = true }, ct);
        await DeployNowFailsAsync(session, cluster, recorded, shown, "removed", "no container named", checks, ct);

        var clock = Stopwatch.StartNew();
        string outcome;
        try
        {
            var result = await session.RecreateAsync(ct);
            outcome = $"deploy now failed, naming the cause and the fix; Recreate redeployed {string.Join(", ", result.Deployed)}";
            checks.Add(InvariantCheck.Of(Invariants.Converges, result.StateWritten ? null : "Recreate's deploy recorded nothing"));
        }
        catch (DevLoopException ex)
        {
            outcome = "Recreate failed";
            checks.Add(InvariantCheck.Of(Invariants.Converges, $"Recreate failed: {ex.Message}"));
        }

        var recovered = clock.Elapsed;
        var after = await cluster.Docker.Containers.InspectContainerAsync(cluster.ContainerName, ct);
        checks.Add(InvariantCheck.Of("a new node runs", after.ID != before && after.State.Running ? null : $"node {after.ID[..12]} (before {before[..12]}), running: {after.State.Running}"));
        checks.Add(InvariantCheck.Of("the cluster shows it running",
            Last(shown) is { Phase: ClusterPhase.Running } ? null : $"the session last showed the cluster as {Last(shown)?.Phase}: {Last(shown)?.Detail}"));

        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, after.ID, kube);
        checks.Add(await Invariants.StateMatchesAsync(await ReadStateAsync(cluster, ct), ComponentCatalog.Load(cluster.Root).Components, source, ct));
        checks.Add(Invariants.NoLeftoversIn(Path.Combine(cluster.Root, ".cache")));
        return new ScenarioResult("", "", outcome, recovered, checks);
    }

    // Deploy now on a node that is gone or stopped: a clear failure before any step, shown on the cluster, nothing recorded.
    private static async Task DeployNowFailsAsync(
        DevSession session, SuiteCluster cluster, DeployState? recorded, List<ClusterChanged> shown, string fault, string cause, List<InvariantCheck> checks, CancellationToken ct)
    {
        Exception? error = null;
        try
        {
            await session.DeployAsync([], null, ct);
        }
        catch (DevLoopException ex)
        {
            error = ex;
        }

        var clear = Invariants.ErrorIsClear(error, cause);
        checks.Add(clear with { Name = $"{fault}: {clear.Name}" });
        checks.Add(InvariantCheck.Of($"{fault}: the cluster shows it",
            error is not null && Last(shown) is { Phase: ClusterPhase.Failed } last && last.Detail == error.Message
                ? null : $"the session last showed the cluster as {Last(shown)?.Phase}: {Last(shown)?.Detail}"));
        var state = await ReadStateAsync(cluster, ct);
        checks.Add(InvariantCheck.Of($"{fault}: {Invariants.NoFalseSuccess}",
            error is not null && state?.Fingerprints.GetValueOrDefault("helm") == recorded?.Fingerprints.GetValueOrDefault("helm") ? null : "the deploy succeeded, or recorded the chart"));
    }

    private static ClusterChanged? Last(List<ClusterChanged> shown)
    {
        lock (shown)
        {
            return shown.LastOrDefault();
        }
    }

    private static async Task<DeployState?> ReadStateAsync(SuiteCluster cluster, CancellationToken ct) =>
        (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
}
