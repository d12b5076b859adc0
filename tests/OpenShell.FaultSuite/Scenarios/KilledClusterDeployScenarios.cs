using System.Diagnostics;
using OpenShell.DevLoop.Cli;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// <c>openshell-dev deploy</c> killed with SIGKILL at a named point of a real offline deploy (<see cref="DeployFaultPoints"/>),
/// then a plain <c>openshell-dev deploy</c>. The child is this program (<c>child-deploy POINT MARKERS ROOT</c>,
/// <see cref="ChildAsync"/>): openshell-dev's own command line with the fault hook set, the cluster's settings as
/// <c>OpenShell__*</c> variables.
/// </summary>
internal static class KilledClusterDeployScenarios
{
    private const string ReachedFile = "reached";

    public static IEnumerable<FaultScenario> All() =>
    [
        new("deploy killed during the supervisor swap", $"SIGKILL at {DeployFaultPoints.SupervisorSwap}",
            ct => RunAsync(DeployFaultPoints.SupervisorSwap, root => File.AppendAllText(Path.Combine(root, "src/OpenShell.Sandbox/Program.cs"), $"// {Guid.NewGuid():N}\n"), ct))
        {
            NeedsDocker = true,
        },
        new("deploy killed during the chart update", $"SIGKILL at {DeployFaultPoints.ChartUpdate}",
            ct => RunAsync(DeployFaultPoints.ChartUpdate, root => File.AppendAllText(Path.Combine(root, "deploy/helm/openshell/values.yaml"), $"# {Guid.NewGuid():N}\n"), ct))
        {
            NeedsDocker = true,
        },
    ];

    /// <summary>The child's work: <c>openshell-dev deploy --offline -C ROOT</c>, stopping at <paramref name="point"/>.</summary>
    public static Task<int> ChildAsync(string point, string markers, string root)
    {
        DeployFaultPoints.Reached = async (reached, ct) =>
        {
            if (reached == point)
            {
                await File.WriteAllTextAsync(Path.Combine(markers, ReachedFile), reached, ct);
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
        return CliApp.RunAsync(["deploy", "--offline", "-C", root], Console.Out, Console.Error);
    }

    private static async Task<ScenarioResult> RunAsync(string point, Action<string> edit, CancellationToken ct)
    {
        var cluster = await SuiteCluster.GetAsync();
        if (cluster.Prime.ExitCode != 0)
        {
            throw new InvalidOperationException($"the suite's cluster did not come up: {cluster.Prime.Stdout}\n{cluster.Prime.Stderr}");
        }

        edit(cluster.Root);
        var markers = Path.Combine(Path.GetTempPath(), $"osflt-markers-{Guid.NewGuid():N}");
        Directory.CreateDirectory(markers);
        try
        {
            var clock = Stopwatch.StartNew();
            await KillAtAsync(cluster, point, markers, ct);
            var checks = new List<InvariantCheck>();
            var containerId = await cluster.ContainerIdAsync();
            checks.Add(await BinaryCompleteAsync(cluster, containerId, ct));

            // The plain deploy after the kill.
            clock.Restart();
            var recovery = await cluster.DeployAsync();
            var recovered = clock.Elapsed;
            checks.Add(InvariantCheck.Of(Invariants.Converges, recovery.ExitCode == 0 ? null : $"exit {recovery.ExitCode}: {recovery.Stderr.Trim()}"));
            checks.Add(await StateMatchesAsync(cluster, containerId, ct));
            checks.Add(await BinaryCompleteAsync(cluster, containerId, ct) with { Name = "node binary complete after" });
            var (_, nodeTemps, _) = await ContainerExec.RunAsync(cluster.Docker, containerId,
                ["sh", "-c", $"cd {SupervisorDeployer.NodeDirectory} && ls -a | grep '\\.tmp$' || true"], ct);
            var local = Invariants.NoLeftoversIn(Path.Combine(cluster.Root, ".cache"));
            checks.Add(InvariantCheck.Of(Invariants.NoLeftovers, nodeTemps.Trim().Length > 0 ? $"on the node: {nodeTemps.Trim()}" : local.Held ? null : local.Detail));
            return new ScenarioResult("", "", "killed; plain deploy converged", recovered, checks);
        }
        finally
        {
            Directory.Delete(markers, recursive: true);
        }
    }

    private static async Task<InvariantCheck> StateMatchesAsync(SuiteCluster cluster, string containerId, CancellationToken ct)
    {
        var state = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        if (state is null)
        {
            return InvariantCheck.Of(Invariants.StateEqualsDeployed, "no state file after the deploy");
        }

        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, containerId, kube);
        return await Invariants.StateMatchesAsync(state, ComponentCatalog.Load(cluster.Root).Components, source, ct);
    }

    // The link names one whole binary: its sha256 is the one its fingerprint file names, and it runs.
    private static async Task<InvariantCheck> BinaryCompleteAsync(SuiteCluster cluster, string containerId, CancellationToken ct)
    {
        var sha = await SupervisorDeployer.ReadNodeSha256Async(cluster.Docker, containerId, SupervisorDeployer.NodePath, ct);
        var file = await SupervisorDeployer.ReadNodeFingerprintAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath, ct);
        var version = await SupervisorDeployer.ReadNodeVersionAsync(cluster.Docker, containerId, SupervisorDeployer.NodePath, ct);
        string? problem = sha is null ? "no binary at the node path"
            : file is not null && file.Sha256 != sha ? $"sha256 {sha}, its fingerprint file names {file.Sha256}"
            : version is null ? "the binary does not run (--version failed)"
            : null;
        return InvariantCheck.Of("node binary complete", problem);
    }

    private static async Task KillAtAsync(SuiteCluster cluster, string point, string markers, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(KilledClusterDeployScenarios).Assembly.Location, "child-deploy", point, markers, cluster.Root })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in cluster.SettingOverrides)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("the child process did not start");
        var stdout = child.StandardOutput.ReadToEndAsync(ct);
        var stderr = child.StandardError.ReadToEndAsync(ct);
        var marker = Path.Combine(markers, ReachedFile);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(marker))
        {
            if (child.HasExited || deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(ct);
                throw new InvalidOperationException($"openshell-dev deploy never reached {point} (exit {child.ExitCode}):\n{await stdout}\n{await stderr}");
            }

            await Task.Delay(50, ct);
        }

        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync(ct);
    }
}
