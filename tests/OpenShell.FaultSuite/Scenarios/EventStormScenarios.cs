using System.Diagnostics;
using System.Globalization;
using OpenShell.FaultSuite.Watching;

namespace OpenShell.FaultSuite.Scenarios;

/// <summary>
/// The watcher under a storm of file events, a <c>git checkout</c> of another branch and back while a deploy runs, and the
/// inotify watch limit reached (<see cref="WatchedCheckout"/>: a real clone, the real watcher, journal, loop and planner,
/// no cluster). After each: exactly one follow-up deploy, and nothing missed (a whole-tree plan finds nothing to deploy).
/// </summary>
internal static class EventStormScenarios
{
    private const string GatewayFile = "src/OpenShell.Server/Program.cs";
    private const string SupervisorFile = "src/OpenShell.Sandbox/Program.cs";
    private const string ChartValues = "deploy/helm/openshell/values.yaml";
    private const string OtherBranch = "osfls-other";

    /// <summary>How many new files the storm writes: a create and a write or two each.</summary>
    private const int StormFiles = 800;

    /// <summary>How many single writes then take turns over the first new files.</summary>
    private const int StormWrites = 9500;

    public static IEnumerable<FaultScenario> All() =>
    [
        new("10,000 file events in one burst", $"{StormFiles} new supervisor files, {StormWrites} writes, a gateway edit", StormAsync),
        new("git checkout of another branch and back during a deploy", "checkout + checkout back while the deploy runs, then a chart edit", CheckoutDuringDeployAsync),
        new("inotify watch limit reached", "watch error + 2 refused re-arms (simulated), an edit while blind", InotifyLimitAsync),
    ];

    private static async Task<ScenarioResult> StormAsync(CancellationToken ct)
    {
        await using var checkout = await WatchedCheckout.StartAsync(ct: ct);
        var deploysBefore = checkout.Deployer.Plans.Count;
        var eventsBefore = checkout.Watcher!.EventsReceived;
        var folder = Path.Combine(checkout.Root, "src", "OpenShell.Sandbox", "Storm");
        Directory.CreateDirectory(folder);

        var clock = Stopwatch.StartNew();
        // New files from many writers, as a build or a code generator makes them, then unbuffered writes that take turns
        // over a few of them (the kernel merges only identical events in a row): one write, one event.
        Parallel.For(0, StormFiles, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, i =>
        {
            File.WriteAllText(Path.Combine(folder, $"Storm{i}.cs"), $"// {i}\n");
            if (i == StormFiles / 2)
            {
                checkout.Append(GatewayFile, "// edited in the storm");
            }
        });
        var streams = Enumerable.Range(0, 16).Select(i => new FileStream(Path.Combine(folder, $"Storm{i}.cs"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0)).ToList();
        try
        {
            var line = "// more\n"u8.ToArray();
            for (var i = 0; i < StormWrites; i++)
            {
                streams[i % streams.Count].Write(line);
            }
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }

        var storm = clock.Elapsed;
        clock.Restart();
        await checkout.SettleAsync(ct);
        var events = checkout.Watcher.EventsReceived - eventsBefore;
        var plans = checkout.Deployer.Plans.Skip(deploysBefore).ToList();
        var recovery = checkout.Deployer.SinceLastDeployEnded(clock);
        var lost = checkout.WatchProblems.Count > 0;

        var checks = new List<InvariantCheck>
        {
            // One burst as the loop sees it: every event within one quiet period of the first (about a second when the
            // machine is not loaded).
            InvariantCheck.Of("storm delivered", storm < WatchedCheckout.QuietPeriod && (events >= 10_000 || lost) ? null
                : $"{events} events in {storm.TotalSeconds:0.00} s, not 10,000 within one quiet period ({WatchedCheckout.QuietPeriod.TotalSeconds:0.0} s)"),
            OneFollowUp(plans),
            // The chart pins the gateway's new digest.
            Rebuilt(plans, "chart", "gateway", "supervisor"),
            await checkout.DeployedEqualsTreeAsync(ct),
        };
        var outcome = string.Create(CultureInfo.InvariantCulture,
            $"{events:N0} events in {storm.TotalSeconds:0.00} s{(lost ? $", watch lost ({checkout.WatchProblems[0]}) and rescanned" : "")}; {Describe(plans)}");
        return new ScenarioResult("", "", outcome, recovery, checks);
    }

    private static async Task<ScenarioResult> CheckoutDuringDeployAsync(CancellationToken ct)
    {
        await using var checkout = await WatchedCheckout.StartAsync(async c =>
        {
            // The other branch changes the gateway and adds a chart template; coming back must undo both.
            await c.GitAsync(ct, "checkout", "-q", "-b", OtherBranch);
            c.Append(GatewayFile, "// only on the other branch");
            await File.WriteAllTextAsync(Path.Combine(c.Root, "deploy/helm/openshell/templates/osfls-other.yaml"), "# only on the other branch\n", ct);
            await c.GitAsync(ct, "add", "-A");
            await c.GitAsync(ct, "commit", "-q", "-m", "other branch");
            await c.GitAsync(ct, "checkout", "-q", c.Branch);
        }, ct: ct);
        var deploysBefore = checkout.Deployer.Plans.Count;

        var held = checkout.Deployer.HoldNext();
        checkout.Append(SupervisorFile, "// edited before the deploy");
        await held.WaitAsync(TimeSpan.FromSeconds(60), ct);
        await checkout.GitAsync(ct, "checkout", "-q", OtherBranch);
        await checkout.GitAsync(ct, "checkout", "-q", checkout.Branch);
        checkout.Append(ChartValues, "# edited after the checkout and back");
        var clock = Stopwatch.StartNew();
        checkout.Deployer.Release();
        await checkout.SettleAsync(ct);
        var plans = checkout.Deployer.Plans.Skip(deploysBefore).ToList();
        var recovery = checkout.Deployer.SinceLastDeployEnded(clock);

        var checks = new List<InvariantCheck>
        {
            InvariantCheck.Of("exactly one follow-up deploy", plans.Count == 2 ? null : $"{plans.Count - 1} deploy(s) after the one that ran: {Describe(plans)}"),
            Rebuilt(plans.Take(1).ToList(), "supervisor") with { Name = "the running deploy: what it planned" },
            Rebuilt(plans.Skip(1).ToList(), "chart") with { Name = "the follow-up: only what differs" },
            await checkout.DeployedEqualsTreeAsync(ct),
        };
        return new ScenarioResult("", "", $"held deploy + {plans.Count - 1} follow-up ({Describe(plans.Skip(1).ToList())})", recovery, checks);
    }

    private static async Task<ScenarioResult> InotifyLimitAsync(CancellationToken ct)
    {
        var watchers = new InotifyLimitWatchers();
        await using var checkout = await WatchedCheckout.StartAsync(createWatcher: watchers.Create, ct: ct);
        var deploysBefore = checkout.Deployer.Plans.Count;

        var clock = Stopwatch.StartNew();
        watchers.Exhaust(refusedRearms: 2);
        await watchers.FirstRefusal.WaitAsync(TimeSpan.FromSeconds(30), ct);
        checkout.Append(SupervisorFile, "// edited while nothing watched");
        await checkout.SettleAsync(ct);
        var plans = checkout.Deployer.Plans.Skip(deploysBefore).ToList();
        var recovery = checkout.Deployer.SinceLastDeployEnded(clock);

        var shown = checkout.WatchProblems.FirstOrDefault(p => p.Contains("inotify", StringComparison.Ordinal));
        var checks = new List<InvariantCheck>
        {
            InvariantCheck.Of("loss shown with its remedy", shown is not null && shown.Contains("max_user_watches", StringComparison.Ordinal) ? null
                : $"the watcher showed: {string.Join(" | ", checkout.WatchProblems)}"),
            InvariantCheck.Of("watch re-armed", watchers.Refused == 2 && checkout.Watcher is not null ? null : $"{watchers.Refused} re-arm(s) refused"),
            OneFollowUp(plans),
            Rebuilt(plans, "supervisor") with { Name = "the edit made while blind deployed" },
            await checkout.DeployedEqualsTreeAsync(ct),
        };
        return new ScenarioResult("", "", $"watch lost, {watchers.Refused} re-arms refused, re-armed; {plans.Count} deploy ({Describe(plans)})", recovery, checks);
    }

    // A plan that finds nothing to do builds, pushes and records nothing: it is shown in the outcome, not counted here.
    private static InvariantCheck OneFollowUp(IReadOnlyList<OpenShell.DevLoop.Planning.DeployPlan> plans) =>
        InvariantCheck.Of("exactly one follow-up deploy", plans.Count(p => !p.NothingToDo) == 1 ? null : $"{plans.Count(p => !p.NothingToDo)} deploys: {Describe(plans)}");

    // The deploys rebuilt exactly these components, together.
    private static InvariantCheck Rebuilt(IReadOnlyList<OpenShell.DevLoop.Planning.DeployPlan> plans, params string[] components)
    {
        var rebuilt = plans.SelectMany(p => p.Components.Where(c => c.Rebuild).Select(c => c.Component.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        return InvariantCheck.Of("deployed what changed", rebuilt.SequenceEqual(components.Order(StringComparer.Ordinal))
            ? null : $"rebuilt [{string.Join(", ", rebuilt)}], expected [{string.Join(", ", components)}]");
    }

    private static string Describe(IReadOnlyList<OpenShell.DevLoop.Planning.DeployPlan> plans) =>
        string.Join("; ", plans.Select(p => p.NothingToDo ? "nothing to do" : "rebuilt " + string.Join("+", p.Components.Where(c => c.Rebuild).Select(c => c.Component.Name))));
}
