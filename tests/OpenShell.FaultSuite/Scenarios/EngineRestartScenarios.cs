using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Cli;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;
using OpenShell.Testing;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// The Docker engine restarted while <c>openshell-dev deploy</c> (a process) builds the gateway image, pushes it, or copies
/// the supervisor to the node. The engine is the suite's private one (<see cref="SuiteEngineCluster"/>): the deploy writes a
/// marker when it reaches the point and goes on, and the suite restarts the engine as soon as it sees the marker, so the
/// engine goes down with the deploy's request in flight. A session watches the engine meanwhile (as the AppHost's does).
/// Then the engine's restart policies bring back the registry and, after a clean stop, the node; after a crash the engine
/// leaves the node exited and the session starts it again. Then a plain deploy must converge.
/// </summary>
internal static class EngineRestartScenarios
{
    private const string ReachedFile = "reached";

    public static IEnumerable<FaultScenario> All() =>
    [
        new("engine restarted during an image build", $"dockerd SIGKILL + start at {DeployFaultPoints.ImageBuild}",
            ct => RunAsync(DeployFaultPoints.ImageBuild, kill: true, "gateway", EditGateway, ct))
        {
            NeedsDocker = true,
            NeedsPrivateEngine = true,
        },
        new("engine restarted during a push", $"dockerd SIGTERM + start at {DeployFaultPoints.ImagePush}",
            ct => RunAsync(DeployFaultPoints.ImagePush, kill: false, "gateway", EditGateway, ct))
        {
            NeedsDocker = true,
            NeedsPrivateEngine = true,
        },
        new("engine restarted during a supervisor copy", $"dockerd SIGKILL + start at {DeployFaultPoints.SupervisorCopy}",
            ct => RunAsync(DeployFaultPoints.SupervisorCopy, kill: true, "supervisor", EditSupervisor, ct))
        {
            NeedsDocker = true,
            NeedsPrivateEngine = true,
        },
    ];

    /// <summary>
    /// The child's work: <c>openshell-dev deploy --offline -C ROOT</c>; at <paramref name="point"/> (<c>-</c>: none) a marker
    /// is written into <paramref name="markers"/> and the deploy goes on.
    /// </summary>
    public static Task<int> ChildAsync(string point, string markers, string root)
    {
        if (point != "-")
        {
            DeployFaultPoints.Reached = async (reached, ct) =>
            {
                if (reached == point)
                {
                    await File.WriteAllTextAsync(Path.Combine(markers, ReachedFile), reached, ct);
                }
            };
        }

        return CliApp.RunAsync(["deploy", "--offline", "-C", root], Console.Out, Console.Error);
    }

    private static void EditGateway(string root) =>
        File.AppendAllText(Path.Combine(root, "src/OpenShell.Server/Program.cs"), $"// {Guid.NewGuid():N}\n");

    private static void EditSupervisor(string root) =>
        File.AppendAllText(Path.Combine(root, "src/OpenShell.Sandbox/Program.cs"), $"// {Guid.NewGuid():N}\n");

    private static async Task<ScenarioResult> RunAsync(string point, bool kill, string component, Action<string> edit, CancellationToken ct)
    {
        var cluster = await SuiteEngineCluster.GetAsync();
        edit(cluster.Root);
        var before = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State?.Fingerprints.GetValueOrDefault(component);
        var markers = Path.Combine(Path.GetTempPath(), $"osfle-markers-{Guid.NewGuid():N}");
        Directory.CreateDirectory(markers);
        try
        {
            // A session watches the engine meanwhile, as the AppHost's does.
            await using var watching = EngineWatchingSession.Start(cluster);

            // The fault: the engine goes down as soon as the deploy reaches the point, and comes back.
            using var child = cluster.StartDeploy(point, markers);
            var outcome = SuiteEngineCluster.WaitAsync(child, TimeSpan.FromMinutes(10));
            var marker = Path.Combine(markers, ReachedFile);
            while (!File.Exists(marker))
            {
                if (outcome.IsCompleted)
                {
                    var early = await outcome;
                    throw new InvalidOperationException($"openshell-dev deploy never reached {point} (exit {early.ExitCode}):\n{early.Stdout}\n{early.Stderr}");
                }

                await Task.Delay(5, ct);
            }

            var clock = Stopwatch.StartNew();
            var down = await cluster.Engine.RestartAsync(kill, ct);
            var faulted = await outcome;
            var checks = new List<InvariantCheck>();

            // The node and the registry run again: by the engine's restart policies (the registry's 'always'; the node's
            // 'unless-stopped' only after a clean stop), or, for a node the engine left exited after a crash, by the
            // session when it sees the engine come back, which says so in one line.
            var back = await ContainersBackAsync(cluster, ct);
            var told = await watching.NodeStartAsync(TimeSpan.FromMinutes(6), ct);
            var expected = $"cluster node {cluster.ContainerName} was stopped (exit ";
            checks.Add(InvariantCheck.Of("node + registry back after the engine", back.Problem is { } notBack
                ? $"{notBack}; the watching session saw: {watching.Trace}"
                : (told is null || (told.StartsWith(expected, StringComparison.Ordinal) && told.EndsWith(") when the engine came back; started it again", StringComparison.Ordinal))
                    ? null
                    : $"the session's start of the node: {told}")));

            var after = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State?.Fingerprints.GetValueOrDefault(component);
            string what;
            if (faulted.ExitCode == 0)
            {
                what = "the deploy succeeded across the restart";
                checks.Add(await StateMatchesAsync(cluster, ct) with { Name = Invariants.NoFalseSuccess });
            }
            else
            {
                what = $"the deploy failed: {FirstLine(faulted.Stderr)}";
                // A fingerprint the state no longer records (the file removed when the node was started again and had
                // lost what it recorded) claims nothing; a new one would claim the failed deploy.
                checks.Add(InvariantCheck.Of(Invariants.NoFalseSuccess, after is null || after == before ? null : $"the failed deploy recorded {component} {after}"));
                checks.Add(InvariantCheck.Of(Invariants.ClearError, NamesEngineAndRemedy(faulted.Stderr)));
            }

            // The plain deploy after the restart.
            var recoveryClock = Stopwatch.StartNew();
            var recovery = await cluster.DeployAsync(point: null, markers: null);
            var recovered = recoveryClock.Elapsed;
            var total = clock.Elapsed;
            checks.Add(InvariantCheck.Of(Invariants.Converges, recovery.ExitCode == 0 ? null : $"exit {recovery.ExitCode}: {recovery.Stderr.Trim()}"));
            checks.Add(await StateMatchesAsync(cluster, ct));
            var containerId = await cluster.ContainerIdAsync();
            checks.Add(await BinaryCompleteAsync(cluster.Docker, containerId, ct));
            checks.Add(await NoLeftoversAsync(cluster, containerId, ct));
            return new ScenarioResult("", "", string.Create(CultureInfo.InvariantCulture,
                $"{what}; engine down {down.TotalSeconds:0.0} s, {back.Summary}{(told is null ? "" : $" ({told})")}; plain deploy converged in {recovered.TotalSeconds:0.0} s"), total, checks);
        }
        finally
        {
            Directory.Delete(markers, recursive: true);
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(nothing on stderr)";

    // The message names the engine, and a line tells what to do.
    private static string? NamesEngineAndRemedy(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!lines.Any(l => l.Contains("Docker engine", StringComparison.OrdinalIgnoreCase)))
        {
            return $"the error does not name the Docker engine: {stderr.Trim()}";
        }

        return lines.Skip(1).Any(l => l.Contains("openshell-dev deploy", StringComparison.Ordinal) || l.StartsWith("Check", StringComparison.Ordinal))
            ? null
            : $"no remedy: {stderr.Trim()}";
    }

    // Up to two minutes for the engine to start the node and the registry again, as their restart policies promise.
    private static async Task<(string? Problem, string Summary)> ContainersBackAsync(SuiteEngineCluster cluster, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        string? problem = null;
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            problem = null;
            foreach (var name in new[] { cluster.ContainerName, cluster.RegistryName })
            {
                try
                {
                    var state = (await cluster.Docker.Containers.InspectContainerAsync(name, ct)).State;
                    if (!state.Running)
                    {
                        problem = $"{name} is {state.Status} (exit {state.ExitCode}{(string.IsNullOrEmpty(state.Error) ? "" : ", " + state.Error)})";
                    }
                }
                catch (DockerContainerNotFoundException)
                {
                    problem = $"{name} is gone";
                }
            }

            if (problem is null)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"node + registry running {clock.Elapsed.TotalSeconds:0.0} s later"));
            }

            await Task.Delay(500, ct);
        }

        return (problem, "node or registry not back");
    }

    private static async Task<InvariantCheck> StateMatchesAsync(SuiteEngineCluster cluster, CancellationToken ct)
    {
        var state = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        if (state is null)
        {
            return InvariantCheck.Of(Invariants.StateEqualsDeployed, "no state file");
        }

        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, await cluster.ContainerIdAsync(), kube);
        return await Invariants.StateMatchesAsync(state, ComponentCatalog.Load(cluster.Root).Components, source, ct);
    }

    // The link names one whole binary: its sha256 is the one its fingerprint file names, and it runs.
    private static async Task<InvariantCheck> BinaryCompleteAsync(IDockerClient docker, string containerId, CancellationToken ct)
    {
        var sha = await SupervisorDeployer.ReadNodeSha256Async(docker, containerId, SupervisorDeployer.NodePath, ct);
        var file = await SupervisorDeployer.ReadNodeFingerprintAsync(docker, containerId, SupervisorDeployer.NodePath, ct);
        var version = await SupervisorDeployer.ReadNodeVersionAsync(docker, containerId, SupervisorDeployer.NodePath, ct);
        string? problem = sha is null ? "no binary at the node path"
            : file is null ? "no fingerprint file beside the binary"
            : file.Sha256 != sha ? $"sha256 {sha}, its fingerprint file names {file.Sha256}"
            : version is null ? "the binary does not run (--version failed)"
            : null;
        return InvariantCheck.Of("node binary complete", problem);
    }

    private static async Task<InvariantCheck> NoLeftoversAsync(SuiteEngineCluster cluster, string containerId, CancellationToken ct)
    {
        var (_, nodeTemps, _) = await ContainerExec.RunAsync(cluster.Docker, containerId,
            ["sh", "-c", $"cd {SupervisorDeployer.NodeDirectory} && ls -a | grep '\\.tmp$' || true"], ct);
        var local = Invariants.NoLeftoversIn(Path.Combine(cluster.Root, ".cache"));
        return InvariantCheck.Of(Invariants.NoLeftovers, nodeTemps.Trim().Length > 0 ? $"on the node: {nodeTemps.Trim()}" : local.Held ? null : local.Detail);
    }
}
