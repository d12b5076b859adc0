// Measures the watcher's cost: CPU while idle on a real checkout, and how a burst of file events coalesces.
// Usage: dotnet run -c Release --project bench/OpenShell.Watching.Benchmarks -- [repository] [idle-seconds]
using System.Diagnostics;
using System.Globalization;
using OpenShell.DevLoop.Watching;

var repository = Path.GetFullPath(args.Length > 0 ? args[0] : Environment.CurrentDirectory);
var idleSeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;

await MeasureIdleAsync(repository, TimeSpan.FromSeconds(idleSeconds));
await MeasureBurstAsync(1000);

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
