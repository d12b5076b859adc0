// Edit-to-effect times through the running AppHost on the offline stack: the whole AppHost (registry, cluster, gateway,
// watcher) on a throw-away clone, with the watcher's own debounce (its default quiet period, 200 ms). Each edit
// appends a line to the supervisor's source and is timed
//   until the dashboard shows the new build's sha256 (deployed, and verified in the node against that sha256), and
//   until the watcher's deploy ends (a throwaway sandbox registered with the new build).
// Compare with bench/OpenShell.Bench.Deploy --supervisor-only, the same edit through the deployer the CLI runs.
// Run: dotnet run -c Release --project bench/OpenShell.Bench.AppHost [-- --edits N]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenShell.Bench;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

const string SupervisorSource = "src/OpenShell.Sandbox/Program.cs";
const string SupervisorPlan = "gateway=0 supervisor=1 chart=0";
var edits = args.SkipWhile(a => a != "--edits").Skip(1).FirstOrDefault() is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 5;
var source = BenchEnvironment.RepositoryRoot();
var work = Path.Combine(Path.GetTempPath(), $"openshell-bench-apphost-{Guid.NewGuid():N}"[..40]);
var root = Path.Combine(work, "openshell");
var stack = new OfflineStack();
// Ctrl+C or a TERM signal stops the run and still removes the cluster, registry, network, images and clone.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(40));
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var ct = stop.Token;

try
{
    Console.WriteLine($"Preparing: clone, then the AppHost brings up the registry, the cluster (image build, bootstrap) and a first deploy (cluster {stack.Name})...");
    Directory.CreateDirectory(work);
    await BenchEnvironment.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", source, root], source, ct: ct);
    var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenShell_AppHost>(
        ["--environment=Offline", "--DcpPublisher:RandomizePorts=false", .. stack.Switches(root)], ct);

    // The figures, not every resource's log lines: those stay on the dashboard.
    builder.Services.AddLogging(logging => logging.AddFilter("OpenShell.AppHost.Resources", LogLevel.None).AddFilter("Aspire.Hosting", LogLevel.Warning));
    await using var app = await builder.BuildAsync(ct);
    await app.StartAsync(ct);
    var notifications = app.ResourceNotifications;
    var prepared = Stopwatch.StartNew();
    await notifications.WaitForResourceHealthyAsync("cluster", ct);
    var sha = Property(await WaitForPropertyAsync(notifications, "supervisor", "binary.sha256", _ => true, ct), "binary.sha256")!;
    await notifications.WaitForResourceAsync("watcher", e => e.Snapshot.State?.Text is "Watching" or "Up to date", ct);
    Console.WriteLine($"Ready after {prepared.Elapsed.TotalSeconds:F0} s more.");
    Console.WriteLine();

    using var docker = DockerEngine.CreateClient();
    var timeline = new Timeline();
    _ = timeline.RecordAsync(notifications, ["watcher", "supervisor"], ct);
    var shown = new List<double>();
    var done = new List<double>();
    for (var i = 1; i <= edits; i++)
    {
        var watch = Stopwatch.StartNew();
        var saved = timeline.Mark();
        await File.AppendAllTextAsync(Path.Combine(root, SupervisorSource), $"// bench edit {i} {Guid.NewGuid():N}\n", ct);
        var newSha = Property(await WaitForPropertyAsync(notifications, "supervisor", "binary.sha256", value => value != sha, ct), "binary.sha256")!;
        shown.Add(watch.Elapsed.TotalSeconds);
        // The sha256 shows mid-deploy, so the Up to date seen next is this deploy's end.
        var finished = await notifications.WaitForResourceAsync("watcher", e => e.Snapshot.State?.Text is "Watching" or "Up to date"
            && Property(e, "watcher.lastPlan") == SupervisorPlan && Property(e, "watcher.lastSteps") is { } steps
            && steps.Contains("Sandbox verification", StringComparison.Ordinal), ct);
        done.Add(watch.Elapsed.TotalSeconds);
        var onNode = await SupervisorDeployer.ReadNodeSha256Async(docker, stack.ClusterContainer, ct);
        if (onNode != newSha)
        {
            throw new InvalidOperationException($"the dashboard shows {newSha} but the node runs {onNode}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"supervisor edit {i}: {shown[^1]:F2}s to the new sha256 on the dashboard, {done[^1]:F2}s to Up to date ({Property(finished, "watcher.lastSteps")})"));
        sha = newSha;
        Console.WriteLine($"  {timeline.Since(saved)}");
    }

    Console.WriteLine();
    Console.WriteLine($"Results over {edits} edits (p50 / min / max, seconds), the watcher's debounce included:");
    Report("supervisor edit -> new sha256 verified in the node, shown", shown);
    Report("supervisor edit -> the watcher's deploy done (sandbox verified)", done);
    await app.StopAsync(CancellationToken.None);
}
finally
{
    await stack.RemoveAsync();
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
        Console.Error.WriteLine($"(could not remove {work})");
    }
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

static void Report(string label, List<double> samples)
{
    var sorted = samples.Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-66} {sorted[sorted.Count / 2],6:F2} / {sorted[0],6:F2} / {sorted[^1],6:F2}"));
}

static string? Property(ResourceEvent e, string name) =>
    e.Snapshot.Properties.FirstOrDefault(p => p.Name == name)?.Value?.ToString();

static Task<ResourceEvent> WaitForPropertyAsync(ResourceNotificationService notifications, string resource, string property, Func<string, bool> accept, CancellationToken ct) =>
    notifications.WaitForResourceAsync(resource, e => Property(e, property) is { Length: > 0 } value && accept(value), ct);

// Every state the watched resources show, timed: where an edit's seconds go between the save and the deploy's end.
sealed class Timeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, string Resource, string State)> _entries = [];
    private readonly Lock _gate = new();

    public TimeSpan Mark() => _clock.Elapsed;

    public async Task RecordAsync(ResourceNotificationService notifications, string[] resources, CancellationToken ct)
    {
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var e in notifications.WatchAsync(ct))
            {
                var name = e.Resource.Name;
                var state = e.Snapshot.State?.Text ?? "";
                if (!resources.Contains(name) || (last.TryGetValue(name, out var previous) && previous == state))
                {
                    continue;
                }

                last[name] = state;
                lock (_gate)
                {
                    _entries.Add((_clock.Elapsed, name, state));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // "watcher Changes pending +0.07s, watcher Deploying +0.60s, ..." for the states shown since the mark.
    public string Since(TimeSpan mark)
    {
        lock (_gate)
        {
            return string.Join(", ", _entries.Where(e => e.At >= mark)
                .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Resource} {e.State} +{(e.At - mark).TotalSeconds:F2}s")));
        }
    }
}
