using System.Diagnostics;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// The dev registry misbehaving under a deploy on the suite's cluster: its container killed while the gateway image is
/// pushed, and the container with its volume removed between deploys (with no change since: the deploy must notice the
/// registry lost the gateway the state records). Each is followed by a plain deploy.
/// </summary>
internal static class RegistryScenarios
{
    public static IEnumerable<FaultScenario> All() =>
    [
        new("registry killed during a push", $"docker kill registry at {DeployFaultPoints.ImagePush}", KilledDuringPushAsync) { NeedsDocker = true },
        new("registry volume removed between deploys", "docker rm -f registry + volume rm", RemovedBetweenDeploysAsync) { NeedsDocker = true },
    ];

    private static async Task<ScenarioResult> KilledDuringPushAsync(CancellationToken ct)
    {
        var cluster = await SuiteCluster.GetAsync();
        EditGateway(cluster);
        var recorded = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        DeployFaultPoints.Reached = async (point, pointCt) =>
        {
            if (point == DeployFaultPoints.ImagePush)
            {
                await cluster.Docker.Containers.KillContainerAsync(cluster.RegistryName, new ContainerKillParameters(), pointCt);
            }
        };
        (int ExitCode, string Stdout, string Stderr) faulted;
        try
        {
            faulted = await cluster.DeployAsync();
        }
        finally
        {
            DeployFaultPoints.Reached = null;
        }

        var checks = new List<InvariantCheck>();
        var after = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        var outcome = faulted.ExitCode == 0 ? "the push went through (the registry restarted)" : "the deploy failed";
        if (faulted.ExitCode != 0)
        {
            checks.Add(InvariantCheck.Of(Invariants.NoFalseSuccess,
                after?.Fingerprints.GetValueOrDefault("gateway") == recorded?.Fingerprints.GetValueOrDefault("gateway") ? null : "the failed deploy recorded the gateway"));
            checks.Add(InvariantCheck.Of(Invariants.ClearError, faulted.Stderr.Contains("registry", StringComparison.OrdinalIgnoreCase)
                && faulted.Stderr.Contains("deploy", StringComparison.OrdinalIgnoreCase) ? null : $"the error names neither the registry nor the fix: {faulted.Stderr.Trim()}"));
        }

        var clock = Stopwatch.StartNew();
        var recovery = await cluster.DeployAsync();
        var recovered = clock.Elapsed;
        await AddConvergedChecksAsync(cluster, recovery, checks, ct);
        return new ScenarioResult("", "", outcome + "; plain deploy converged", recovered, checks);
    }

    private static async Task<ScenarioResult> RemovedBetweenDeploysAsync(CancellationToken ct)
    {
        var cluster = await SuiteCluster.GetAsync();
        await cluster.Docker.Containers.RemoveContainerAsync(cluster.RegistryName, new ContainerRemoveParameters { Force = true }, ct);
        await cluster.Docker.Volumes.RemoveAsync(cluster.RegistryName, force: true, ct);

        // No edit: the state still names the gateway the lost registry held, so only the registry can tell the deploy.
        var clock = Stopwatch.StartNew();
        var recovery = await cluster.DeployAsync();
        var recovered = clock.Elapsed;
        var pushed = recovery.Stdout.Contains(FastDeployer.PushLine, StringComparison.Ordinal);
        var checks = new List<InvariantCheck>
        {
            InvariantCheck.Of("lost image pushed again", pushed ? null : $"the deploy pushed nothing: {recovery.Stdout.Trim()}"),
        };
        await AddConvergedChecksAsync(cluster, recovery, checks, ct);
        return new ScenarioResult("", "", recovery.ExitCode != 0 ? "the deploy failed" : pushed ? "registry recreated; gateway pushed again with no change" : "registry recreated; nothing pushed",
            recovered, checks);
    }

    private static void EditGateway(SuiteCluster cluster) =>
        File.AppendAllText(Path.Combine(cluster.Root, "src/OpenShell.Server/Program.cs"), $"// {Guid.NewGuid():N}\n");

    private static async Task AddConvergedChecksAsync(SuiteCluster cluster, (int ExitCode, string Stdout, string Stderr) run, List<InvariantCheck> checks, CancellationToken ct)
    {
        checks.Add(InvariantCheck.Of(Invariants.Converges, run.ExitCode == 0 ? null : $"exit {run.ExitCode}: {run.Stderr.Trim()}"));
        var state = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, await cluster.ContainerIdAsync(), kube);
        checks.Add(await Invariants.StateMatchesAsync(state, ComponentCatalog.Load(cluster.Root).Components, source, ct));
        checks.Add(Invariants.NoLeftoversIn(Path.Combine(cluster.Root, ".cache")));
    }
}
