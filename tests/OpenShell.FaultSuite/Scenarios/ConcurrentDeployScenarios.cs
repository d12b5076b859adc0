using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.History;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Telemetry;
using OpenShell.DevLoop.Verification;
using OpenShell.DevLoop.Watching;
using OpenShell.Testing;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// Five <c>openshell-dev deploy</c> processes started at once on the suite's cluster, each right after an edit of its own,
/// while the session's watcher (the <see cref="DevSession"/> the AppHost runs) deploys the same edits in this process.
/// The deploy lock must take them one at a time (the history records when each held it), no edit may be lost (afterwards
/// the tree has nothing left to deploy), and no process may fail (one that waits says so).
/// </summary>
internal static class ConcurrentDeployScenarios
{
    private const int Processes = 5;

    // Held-lock intervals computed from two clocks (a UTC start, a stopwatch length) may touch within this.
    private static readonly TimeSpan s_clockSlack = TimeSpan.FromMilliseconds(20);

    private static readonly (string Path, string Comment)[] s_edits =
    [
        ("src/OpenShell.Sandbox/Program.cs", "//"),
        ("deploy/helm/openshell/values.yaml", "#"),
        ("deploy/helm/openshell/Chart.yaml", "#"),
        ("src/OpenShell.Sandbox/Program.cs", "//"),
        ("deploy/helm/openshell/values.yaml", "#"),
    ];

    public static IEnumerable<FaultScenario> All() =>
    [
        new("five concurrent deploys and the watcher", $"{Processes} x openshell-dev deploy + watcher, an edit before each", RunAsync) { NeedsDocker = true },
    ];

    private static async Task<ScenarioResult> RunAsync(CancellationToken ct)
    {
        var cluster = await SuiteCluster.GetAsync();
        if (cluster.Prime.ExitCode != 0)
        {
            throw new InvalidOperationException($"the suite's cluster did not come up: {cluster.Prime.Stdout}\n{cluster.Prime.Stderr}");
        }

        var history = DeployHistory.ForRepository(cluster.Root);
        var settings = cluster.LoadSettings(offline: true);
        var watcher = new WatcherLog();
        await using var session = new DevSession(settings, DevSessionServices.ForDocker(cluster.Docker, settings, NullLogger.Instance));
        session.Changed += watcher.Record;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = session.RunAsync(null, stop.Token);
        await WaitAsync(() => session.IsWatching || running.IsCompleted, TimeSpan.FromMinutes(5), "the session's watcher to start", ct);
        if (!session.IsWatching)
        {
            throw new InvalidOperationException("the session ended before its watcher ran");
        }

        await watcher.SettledAsync(ct);
        var since = DateTimeOffset.UtcNow;

        // Each process starts right after its edit; the watcher sees every edit as well.
        var clock = Stopwatch.StartNew();
        var children = new List<Task<ProcessOutcome>>();
        foreach (var (path, comment) in s_edits)
        {
            File.AppendAllText(Path.Combine(cluster.Root, path), $"{comment} {Guid.NewGuid():N}\n");
            children.Add(DeployProcessAsync(cluster, ct));
        }

        var outcomes = await Task.WhenAll(children);
        await watcher.SettledAsync(ct);
        var total = clock.Elapsed;
        await stop.CancelAsync();
        await IgnoreCancellation(running);

        var entries = (await history.ReadAsync(ct)).Entries.Where(e => e.Time >= since).OrderBy(e => e.Time + TimeSpan.FromSeconds(e.LockWaitSeconds)).ToList();
        var checks = new List<InvariantCheck>
        {
            NoBadFailure(outcomes),
            Serialized(entries),
        };

        // Nothing may be left: the tree's fingerprints are the state's, and the state's are what runs.
        var final = await cluster.DeployAsync();
        checks.Add(InvariantCheck.Of("no lost change", final.ExitCode == 0 && final.Stdout.Contains(DeployPlanText.NothingToDo, StringComparison.Ordinal) ? null
            : $"after every deploy ended, the tree still had work (exit {final.ExitCode}): {final.Stdout.Trim()} {final.Stderr.Trim()}"));
        var state = (await new DeployStateStore(cluster.StatePath).ReadAsync(ct)).State;
        using var kube = cluster.CreateKubernetesClient();
        var source = new ClusterFingerprintSource(cluster.Docker, await cluster.ContainerIdAsync(), kube);
        checks.Add(await Invariants.StateMatchesAsync(state, ComponentCatalog.Load(cluster.Root).Components, source, ct));
        checks.Add(Invariants.NoLeftoversIn(Path.Combine(cluster.Root, ".cache")));

        var waited = outcomes.Count(o => o.Stdout.Contains(DeployLock.WaitingMessage, StringComparison.Ordinal));
        var waits = entries.Select(e => e.LockWaitSeconds).DefaultIfEmpty(0).ToList();
        var outcome = string.Create(CultureInfo.InvariantCulture,
            $"{entries.Count} deploys one at a time ({Processes} processes, {entries.Count(e => e.Trigger != DeployTriggers.Cli)} by the watcher); {waited}/{Processes} said they wait; lock wait max {waits.Max():0.0} s, sum {waits.Sum():0.0} s");
        return new ScenarioResult("", "", outcome, total, checks);
    }

    private static InvariantCheck NoBadFailure(IReadOnlyList<ProcessOutcome> outcomes)
    {
        var failed = outcomes.Select((o, i) => (o, i)).Where(p => p.o.ExitCode != 0).Select(p => $"process {p.i + 1} exit {p.o.ExitCode}: {p.o.Stderr.Trim()}").ToList();
        return InvariantCheck.Of("no process failed", failed.Count == 0 ? null : string.Join(" | ", failed));
    }

    // Each deploy held the lock from its start plus its wait, for its total: no two of those may overlap.
    private static InvariantCheck Serialized(IReadOnlyList<DeployHistoryEntry> entries)
    {
        if (entries.Count < Processes)
        {
            return InvariantCheck.Of("one deploy at a time", $"the history holds {entries.Count} deploys, fewer than the {Processes} processes");
        }

        var overlaps = new List<string>();
        for (var i = 1; i < entries.Count; i++)
        {
            var previousEnd = entries[i - 1].Time + TimeSpan.FromSeconds(entries[i - 1].LockWaitSeconds + entries[i - 1].TotalSeconds);
            var start = entries[i].Time + TimeSpan.FromSeconds(entries[i].LockWaitSeconds);
            if (start + s_clockSlack < previousEnd)
            {
                overlaps.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{entries[i].Trigger} began {(previousEnd - start).TotalSeconds:0.00} s before the {entries[i - 1].Trigger} deploy before it ended"));
            }
        }

        return InvariantCheck.Of("one deploy at a time", overlaps.Count == 0 ? null : string.Join(" | ", overlaps));
    }

    // openshell-dev's command line (this program's "openshell-dev" mode), a process of its own, with the cluster's settings as OpenShell__* variables.
    private static Task<ProcessOutcome> DeployProcessAsync(SuiteCluster cluster, CancellationToken ct)
    {
        var environment = cluster.SettingOverrides.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        return TestProcess.RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            [typeof(ConcurrentDeployScenarios).Assembly.Location, "openshell-dev", "deploy", "--offline", "-C", cluster.Root], environment: environment, timeout: TimeSpan.FromMinutes(10), ct: ct);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
            }

            await Task.Delay(100, ct);
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The watcher's last status and when it changed.</summary>
    private sealed class WatcherLog
    {
        private readonly Lock _gate = new();
        private DeployLoopStatus? _last;
        private long _changedAt = Stopwatch.GetTimestamp();

        public void Record(SessionEvent change)
        {
            if (change is WatcherChanged { Status: { } status })
            {
                lock (_gate)
                {
                    _last = status;
                    _changedAt = Stopwatch.GetTimestamp();
                }
            }
        }

        /// <summary>Waits until the watcher has nothing pending or running, and nothing changed for a few seconds.</summary>
        public Task SettledAsync(CancellationToken ct) => WaitAsync(() =>
        {
            lock (_gate)
            {
                return _last is { State: not (DeployLoopState.Deploying or DeployLoopState.ChangesPending or DeployLoopState.WaitingForGit), PendingPaths: 0, FollowUpQueued: false }
                    && Stopwatch.GetElapsedTime(_changedAt) > TimeSpan.FromSeconds(3);
            }
        }, TimeSpan.FromMinutes(10), "the watcher to settle", ct);
    }
}
