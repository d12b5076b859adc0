using System.Diagnostics;
using System.Globalization;
using OpenShell.Bench;
using OpenShell.Bench.Planner;
using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;

// Usage: dotnet run -c Release --project bench/OpenShell.Bench.Planner [-- --files N --dirty N --iterations N --cli PATH ...]
var options = Options.Parse(args);
var repoRoot = BenchEnvironment.RepositoryRoot();
var componentsJson = File.ReadAllText(Path.Combine(repoRoot, "deploy", "dev", "components.json"));

Console.WriteLine($"Synthetic repository: {options.Files} files, {options.Dirty} dirty ({options.Dirty * 3 / 4} modified, {options.Dirty - (options.Dirty * 3 / 4)} untracked)");
var setup = Stopwatch.StartNew();
using var repository = SyntheticRepository.Create(options.Files, componentsJson);
var request = PlanRequest.Automatic(repository.Root);

// Record a deploy of the clean tree, then dirty it: the plan must find the changes.
var recorder = new DeployPlanner(new NoEngineLocator());
var clean = await recorder.PlanAsync(request);
await DeployStateStore.ForRepository(repository.Root, null).WriteAsync(clean.ToState(), clean.StateKeyOrder);
Console.WriteLine($"  set up in {setup.Elapsed.TotalSeconds:F1} s at {repository.Root}");

Report("in-process, clean tree, reused planner", await MeasureAsync(options.Iterations, recorder, request));

var dirtyPaths = repository.MakeDirty(options.Dirty * 3 / 4, options.Dirty - (options.Dirty * 3 / 4));
var dirtyPlan = await recorder.PlanAsync(request);
Console.WriteLine($"  dirty plan: gateway={Bit(dirtyPlan, "gateway")} supervisor={Bit(dirtyPlan, "supervisor")} chart={Bit(dirtyPlan, "chart")}, " +
    $"{dirtyPlan.Components.Sum(c => c.Changes.Count)} changed inputs");

Report("in-process, dirty tree, reused planner (watcher)", await MeasureAsync(options.Iterations, recorder, request));
Report("in-process, dirty tree, new planner per plan", await MeasureAsync(options.Iterations, null, request));

// The AppHost's planner with the watcher's change set: it re-checks the reported paths only (the first look scans all).
var journal = new ChangeJournal();
journal.Arm();
var watched = new DeployPlanner(new NoEngineLocator());
var journaled = request with { Journal = journal };
var incremental = await watched.PlanAsync(journaled);
if (!SamePlan(incremental, dirtyPlan))
{
    throw new InvalidOperationException("the plan from the watcher's change set differs from the whole scan's");
}

Report($"in-process, dirty tree, watcher's change set ({dirtyPaths.Count} paths)", await MeasureAsync(options.Iterations, watched, journaled, () => journal.Record(dirtyPaths)));
if (!SamePlan(await watched.PlanAsync(journaled), dirtyPlan))
{
    throw new InvalidOperationException("the plan from the watcher's change set differs from the whole scan's");
}

// As in an editor: one input saved before each plan, so its component's fingerprint must be computed again.
var edited = dirtyPaths.First(p => p.StartsWith("src/OpenShell.Server/", StringComparison.Ordinal));
var edits = 0;
Report("in-process, dirty tree, watcher's change set, one file saved", await MeasureAsync(options.Iterations, watched, journaled, () =>
{
    File.AppendAllText(Path.Combine(repository.Root, edited), $"// saved {edits++}\n");
    journal.Record([edited]);
}));
var afterEdits = await recorder.PlanAsync(request);
if (!SamePlan(await watched.PlanAsync(journaled), afterEdits))
{
    throw new InvalidOperationException("after the saves, the plan from the watcher's change set differs from the whole scan's");
}
Report("in-process, dirty tree, reused planner + Docker lookup", await MeasureAsync(options.Iterations, new DeployPlanner(new DockerClusterContainerLocator()), request));

Console.WriteLine("  stages, dirty tree:");
foreach (var (stage, samples) in await StageTimings.MeasureAsync(repository.Root, options.Iterations))
{
    Report("  " + stage, samples);
}

if (options.Clis.Count > 0)
{
    // Every command given must print the same plan (openshell-dev and openshell-dev-plan share the planning commands).
    string? firstJson = null;
    foreach (var cli in options.Clis)
    {
        var (file, prefix) = cli.EndsWith(".dll", StringComparison.Ordinal) ? ("dotnet", new[] { cli }) : (cli, Array.Empty<string>());
        var json = Capture(file, [.. prefix, "plan", "--json", "--repo", repository.Root]);
        if (firstJson is not null && json != firstJson)
        {
            throw new InvalidOperationException($"{cli} printed another plan than {options.Clis[0]}");
        }

        firstJson = json;
        var samples = new List<double>();
        for (var i = 0; i < Math.Max(5, options.Iterations / 5); i++)
        {
            samples.Add(RunOnce(file, [.. prefix, "plan", "--repo", repository.Root]));
        }

        Report($"one-shot `{Path.GetFileName(cli)} plan`, dirty tree (wall)", samples);
    }
}
else
{
    Console.WriteLine("  (pass --cli path/to/openshell-dev, and --cli path/to/openshell-dev-plan, to time the one-shot commands too)");
}

static bool SamePlan(DeployPlan a, DeployPlan b) =>
    a.Components.Select(c => (c.Component.Name, c.Fingerprint, c.Rebuild, c.Changes.Count)).SequenceEqual(b.Components.Select(c => (c.Component.Name, c.Fingerprint, c.Rebuild, c.Changes.Count)));

static async Task<List<double>> MeasureAsync(int iterations, DeployPlanner? planner, PlanRequest request, Action? beforeEach = null)
{
    // The watcher's planner lives as long as the AppHost: time it once tiered JIT has promoted the hot loops.
    const int warmUp = 20;
    var samples = new List<double>(iterations);
    var cpu = TimeSpan.Zero;
    for (var i = 0; i < iterations + warmUp; i++)
    {
        beforeEach?.Invoke();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await (planner ?? new DeployPlanner(new NoEngineLocator())).PlanAsync(request);
        watch.Stop();
        if (i >= warmUp)
        {
            samples.Add(watch.Elapsed.TotalMilliseconds);
            cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    (this process's CPU time per plan: {cpu.TotalMilliseconds / iterations:F1} ms, git processes not included)"));
    return samples;
}

static double RunOnce(string file, string[] arguments)
{
    var watch = Stopwatch.StartNew();
    Capture(file, arguments);
    return watch.Elapsed.TotalMilliseconds;
}

static string Capture(string file, string[] arguments)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var stderrTask = process.StandardError.ReadToEndAsync();
    var stdout = process.StandardOutput.ReadToEnd();
    var stderr = stderrTask.Result;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} exited {process.ExitCode}: {stderr}");
    }

    return stdout;
}

static void Report(string label, List<double> samples)
{
    samples.Sort();
    var median = samples[samples.Count / 2];
    var p90 = samples[(int)(samples.Count * 0.9)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-58} median {median,7:F1} ms   p90 {p90,7:F1} ms   min {samples[0],7:F1} ms   (n={samples.Count})"));
}

static int Bit(DeployPlan plan, string name) => plan[name].Rebuild ? 1 : 0;


/// <summary>Command-line options.</summary>
internal sealed record Options(int Files, int Dirty, int Iterations, IReadOnlyList<string> Clis)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(5000, 200, 50, []);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--files" => options with { Files = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--dirty" => options with { Dirty = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--iterations" => options with { Iterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--cli" => options with { Clis = [.. options.Clis, Path.GetFullPath(args[i + 1])] },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --files, --dirty, --iterations or --cli."),
            };
        }

        return options;
    }
}
