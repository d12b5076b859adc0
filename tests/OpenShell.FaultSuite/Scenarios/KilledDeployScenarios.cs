using System.Diagnostics;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.State;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// A deploy process killed with SIGKILL at a named point (<see cref="DeployFaultPoints"/>), then the same step run again as
/// the next deploy runs it. The child is this program (<c>child POINT FOLDER</c>, <see cref="ChildAsync"/>): it stops at the
/// point, says so with a marker file, and is killed there.
/// </summary>
internal static class KilledDeployScenarios
{
    private const string ReachedFile = "reached";
    private static readonly DeployState s_old = new("osflt", "old", new Dictionary<string, string> { ["gateway"] = new('1', 64), ["supervisor"] = new('2', 64), ["helm"] = new('3', 64) });
    private static readonly DeployState s_new = new("osflt", "new", new Dictionary<string, string> { ["gateway"] = new('4', 64), ["supervisor"] = new('5', 64), ["helm"] = new('6', 64) });
    private static readonly string[] s_order = ["gateway", "supervisor", "helm"];

    public static IEnumerable<FaultScenario> All() =>
    [
        new("deploy killed during the state-file write", $"SIGKILL at {DeployFaultPoints.StateWrite}", StateWriteAsync),
    ];

    /// <summary>The child's work: stop at <paramref name="point"/> while writing the new state into <paramref name="folder"/>.</summary>
    public static async Task<int> ChildAsync(string point, string folder)
    {
        DeployFaultPoints.Reached = async (reached, ct) =>
        {
            if (reached == point)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, ReachedFile), reached, ct);
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
        if (point == DeployFaultPoints.StateWrite)
        {
            await StoreIn(folder).WriteAsync(s_new, s_order);
            return 0;
        }

        await Console.Error.WriteLineAsync($"no child work for the fault point '{point}'");
        return 2;
    }

    private static async Task<ScenarioResult> StateWriteAsync(CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"osflt-state-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var store = StoreIn(folder);
            await store.WriteAsync(s_old, s_order, ct);
            var checks = new List<InvariantCheck>();

            var clock = Stopwatch.StartNew();
            await KillAtAsync(DeployFaultPoints.StateWrite, folder, ct);
            var after = (await store.ReadAsync(ct)).State;
            checks.Add(InvariantCheck.Of(Invariants.NoFalseSuccess, after is not null && Same(after, s_old) ? null
                : $"after the kill the state file holds {(after is null ? "nothing readable" : string.Join(",", after.Fingerprints.Values.Select(v => v[..4])))}, not the old state"));

            // The next deploy ends with the same write.
            await store.WriteAsync(s_new, s_order, ct);
            var recovery = clock.Elapsed;
            var converged = (await store.ReadAsync(ct)).State;
            checks.Add(InvariantCheck.Of(Invariants.Converges, converged is not null && Same(converged, s_new) ? null : "the next write did not record the new state"));
            checks.Add(Invariants.NoLeftoversIn(Path.Combine(folder, ".cache")));
            return new ScenarioResult("", "", "killed; old state intact; next write recorded", recovery, checks);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task KillAtAsync(string point, string folder, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(KilledDeployScenarios).Assembly.Location, "child", point, folder })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("the child process did not start");
        var marker = Path.Combine(folder, ReachedFile);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(marker))
        {
            if (child.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                var stderr = child.HasExited ? await child.StandardError.ReadToEndAsync(ct) : "";
                child.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"the child never reached {point} (exit {(child.HasExited ? child.ExitCode : -1)}): {stderr}");
            }

            await Task.Delay(20, ct);
        }

        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync(ct);
    }

    private static DeployStateStore StoreIn(string folder) => new(Path.Combine(folder, DeployStateStore.DefaultRelativePath));

    private static bool Same(DeployState a, DeployState b) =>
        a.ContainerId == b.ContainerId && a.Fingerprints.Count == b.Fingerprints.Count && a.Fingerprints.All(f => b.Fingerprints.GetValueOrDefault(f.Key) == f.Value);
}
