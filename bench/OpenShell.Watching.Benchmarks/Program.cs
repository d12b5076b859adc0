// Measures the watcher's cost: CPU, memory and inotify watches while idle on a real checkout (or a synthetic tree of
// N files), and how a burst of file events coalesces.
// Usage: dotnet run -c Release --project bench/OpenShell.Watching.Benchmarks -- [repository | --files N] [idle-seconds]
using System.Diagnostics;
using System.Globalization;
using OpenShell.DevLoop.Watching;

string? synthetic = null;
string repository;
if (args.Length > 1 && args[0] == "--files")
{
    synthetic = repository = await CreateTreeAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
    args = args[2..];
}
else
{
    repository = Path.GetFullPath(args.Length > 0 ? args[0] : Environment.CurrentDirectory);
    args = args.Length > 0 ? args[1..] : args;
}

var idleSeconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
try
{
    await MeasureIdleAsync(repository, TimeSpan.FromSeconds(idleSeconds));
    await MeasureBurstAsync(1000);
}
finally
{
    if (synthetic is not null)
    {
        Directory.Delete(synthetic, recursive: true);
    }
}

// A git repository of `files` small files, 50 to a folder, three folders deep.
static async Task<string> CreateTreeAsync(int files)
{
    var root = Path.Combine(Path.GetTempPath(), $"openshell-watch-tree-{Guid.NewGuid():N}");
    for (var i = 0; i < files; i++)
    {
        var folder = Path.Combine(root, "src", $"P{i / 2500:D3}", $"F{i / 50:D5}");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"File{i:D6}.cs"), $"// {i}\n");
    }

    await RunGitAsync(root, "init", "-q", "-b", "main");
    Console.WriteLine($"synthetic tree: {files} files in {Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Length} folders at {root}");
    return root;
}

// The inotify watches this process holds (one per watched folder), from /proc.
static int InotifyWatches()
{
    var count = 0;
    foreach (var info in Directory.EnumerateFiles("/proc/self/fdinfo"))
    {
        try
        {
            count += File.ReadLines(info).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            // The descriptor closed while it was read.
        }
    }

    return count;
}

static async Task MeasureIdleAsync(string repository, TimeSpan idle)
{
    var deploys = 0;
    await using var loop = new DeployLoop((_, _) => { Interlocked.Increment(ref deploys); return Task.FromResult(DeployOutcome.Success()); }, new DeployLoopOptions(), new GitOperationProbe(Path.Combine(repository, ".git")));
    using var watcher = new RepositoryWatcher(new RepositoryWatcherOptions { RepositoryRoot = repository }, loop);
    var armed = Stopwatch.StartNew();
    watcher.Start();
    Console.WriteLine($"watching {repository}: armed in {armed.ElapsedMilliseconds} ms, git directory {watcher.GitDirectory}");

    // Let start-up work (JIT, the initial directory walk) finish before measuring.
    await Task.Delay(TimeSpan.FromSeconds(2));
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    await Task.Delay(idle);
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    Console.WriteLine(
        $"idle: {cpu.TotalMilliseconds:F0} ms CPU over {wall.Elapsed.TotalSeconds:F1} s = {100 * cpu / wall.Elapsed:F3} % of one core " +
        $"(whole process, runtime included); raw events {watcher.EventsReceived}, signals {watcher.SignalsSent}, deploys {deploys}");
    GC.Collect();
    Console.WriteLine(
        $"memory: RSS {process.WorkingSet64 / (1024.0 * 1024):F1} MB (whole process), managed heap {GC.GetTotalMemory(false) / (1024.0 * 1024):F1} MB; " +
        $"inotify watches held: {InotifyWatches()}");
}

static async Task MeasureBurstAsync(int files)
{
    var root = Path.Combine(Path.GetTempPath(), $"openshell-watch-bench-{Guid.NewGuid():N}");
    Directory.CreateDirectory(root);
    try
    {
        await RunGitAsync(root, "init", "-q", "-b", "main");
        Directory.CreateDirectory(Path.Combine(root, "burst"));
        var deployed = new TaskCompletionSource<DeployTrigger>(TaskCreationOptions.RunContinuationsAsynchronously);
        var deploys = 0;
        await using var loop = new DeployLoop(
            (trigger, _) =>
            {
                Interlocked.Increment(ref deploys);
                deployed.TrySetResult(trigger);
                return Task.FromResult(DeployOutcome.Success());
            },
            new DeployLoopOptions { MaxWait = TimeSpan.FromSeconds(60) },
            new GitOperationProbe(Path.Combine(root, ".git")));
        using var watcher = new RepositoryWatcher(new RepositoryWatcherOptions { RepositoryRoot = root }, loop);
        watcher.Start();

        var write = Stopwatch.StartNew();
        for (var i = 0; i < files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "burst", $"File{i:D4}.cs"), "x");
        }

        var written = write.Elapsed;
        var trigger = await deployed.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var firstDeploy = write.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine(
            $"burst: {files} files written in {written.TotalMilliseconds:F0} ms; raw events {watcher.EventsReceived}, " +
            $"signals to the loop {watcher.SignalsSent}, deploys {deploys} (paths in the first: {trigger.Paths.Count}); " +
            $"first deploy {firstDeploy.TotalMilliseconds:F0} ms after the first write");
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }
}

static async Task RunGitAsync(string root, params string[] args)
{
    var start = new ProcessStartInfo("git") { WorkingDirectory = root, UseShellExecute = false };
    foreach (var arg in args)
    {
        start.ArgumentList.Add(arg);
    }

    using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"git {string.Join(' ', args)} exited {process.ExitCode}");
    }
}
