using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>
/// The watcher and the deploy loop together on real git repositories. Events are real (inotify); the loop's
/// clock is manual, so a slow or busy machine cannot split or merge deploys. A sentinel file written last
/// shows that every earlier event has reached the loop: events are handled in order.
/// </summary>
public sealed class WatchAndDeployTests : IAsyncLifetime
{
    private const string Sentinel = "sentinel.txt";
    private static readonly TimeSpan Quiet = DeployLoopOptions.DefaultQuietPeriod;

    private readonly ManualTimeProvider _time = new();
    private readonly ScriptedDeploy _deploy;
    private TempGitRepository _repo = null!;
    private DeployLoop? _loop;
    private RecordingSink? _seen;
    private RepositoryWatcher? _watcher;

    public WatchAndDeployTests() => _deploy = new ScriptedDeploy { CompleteImmediately = true, OnCall = Observe };

    private List<Observation> Observations { get; } = [];

    public async Task InitializeAsync() => _repo = await TempGitRepository.CreateAsync();

    public async Task DisposeAsync()
    {
        _watcher?.Dispose();
        if (_loop is not null)
        {
            await _loop.DisposeAsync();
        }

        _repo.Dispose();
    }

    private void Start()
    {
        _loop = new DeployLoop(_deploy.InvokeAsync, new DeployLoopOptions(), new GitOperationProbe(_repo.GitDirectory), _time);
        _seen = new RecordingSink(_loop);
        _watcher = new RepositoryWatcher(new RepositoryWatcherOptions { RepositoryRoot = _repo.Root }, _seen);
        _watcher.Start();
    }

    // Looks at the repository the moment the deploy starts, as the planner would.
    private void Observe(DeployTrigger trigger)
    {
        var many = Path.Combine(_repo.Root, "many");
        lock (Observations)
        {
            Observations.Add(new Observation(
                trigger,
                File.ReadAllText(Path.Combine(_repo.GitDirectory, "HEAD")).Trim(),
                new GitOperationProbe(_repo.GitDirectory).IsBusy(out _),
                Directory.Exists(many) ? Directory.GetFiles(many).Length : 0));
        }
    }

    // Writes the sentinel, waits until the loop has it (and so everything before it), then lets the quiet period pass.
    // It is written beside the repository and renamed in: one event. Written in place, its create and write events
    // may reach the loop in two batches, and the second, arriving during the deploy, would ask for a follow-up.
    private async Task<Observation> SettleAndDeployAsync()
    {
        var staged = Path.Combine(Path.GetDirectoryName(_repo.Root)!, $"{Path.GetFileName(_repo.Root)}.{Guid.NewGuid():N}.sentinel");
        await File.WriteAllTextAsync(staged, Guid.NewGuid().ToString());
        File.Move(staged, Path.Combine(_repo.Root, Sentinel), overwrite: true);
        await _seen!.WaitForPathAsync(Sentinel);
        _time.Advance(Quiet);
        await _deploy.NextAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _loop!.DeploysStarted);
        lock (Observations)
        {
            return Assert.Single(Observations);
        }
    }

    [Fact]
    public async Task A_checkout_of_a_branch_with_many_files_gives_one_deploy_after_git_finishes()
    {
        _repo.Write("README.md", "main");
        await _repo.CommitAllAsync("main");
        await _repo.GitAsync("checkout", "-q", "-b", "wide");
        for (var i = 0; i < 500; i++)
        {
            _repo.Write($"many/File{i:D3}.cs", $"class File{i} {{}}");
        }

        await _repo.CommitAllAsync("many files");
        await _repo.GitAsync("checkout", "-q", "main");
        Start();

        await _repo.GitAsync("checkout", "-q", "wide");

        var deploy = await SettleAndDeployAsync();
        Assert.Equal("ref: refs/heads/wide", deploy.Head);
        Assert.False(deploy.GitBusy);
        Assert.Equal(500, deploy.FilesUnderMany);
        Assert.Equal(DeployTriggerKind.GitOperation, deploy.Trigger.Kind);
        Assert.Equal(500, deploy.Trigger.Paths.Count(p => p.StartsWith("many/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_rebase_stopped_by_a_conflict_holds_the_deploy_until_git_is_done()
    {
        _repo.Write("README.md", "base");
        await _repo.CommitAllAsync("base");
        await _repo.GitAsync("checkout", "-q", "-b", "feature");
        for (var i = 0; i < 100; i++)
        {
            _repo.Write($"many/File{i:D3}.cs", "// feature");
        }

        await _repo.CommitAllAsync("feature files");
        _repo.Write("README.md", "feature");
        await _repo.CommitAllAsync("feature readme");
        await _repo.GitAsync("checkout", "-q", "main");
        _repo.Write("README.md", "main");
        await _repo.CommitAllAsync("main readme");
        await _repo.GitAsync("checkout", "-q", "feature");
        Start();

        // The second commit conflicts: git stops with rebase-merge/ in place.
        var stopped = await OpenShell.Testing.TestProcess.RunAsync(
            "git", ["-c", "user.name=T", "-c", "user.email=t@openshell.invalid", "rebase", "-q", "main"], _repo.Root);
        Assert.NotEqual(0, stopped.ExitCode);
        Assert.True(Directory.Exists(Path.Combine(_repo.GitDirectory, "rebase-merge")), stopped.Stderr);

        // Still reported changes, far beyond the maximum wait, while the rebase is in progress: no deploy.
        _repo.Write("README.md", "resolved");
        await _seen!.WaitForPathAsync("README.md");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _loop!.DeploysStarted);
        Assert.Equal(DeployLoopState.WaitingForGit, _loop.Status.State);
        Assert.Contains("rebase", _loop.Status.Reason, StringComparison.Ordinal);

        await _repo.GitAsync("add", "README.md");
        await _repo.GitAsync("rebase", "--continue");

        var deploy = await SettleAndDeployAsync();
        Assert.Equal("ref: refs/heads/feature", deploy.Head);
        Assert.False(deploy.GitBusy);
        Assert.Equal(100, deploy.FilesUnderMany);
        Assert.Contains("README.md", deploy.Trigger.Paths);
    }

    [Fact]
    public async Task A_thousand_files_written_in_a_burst_give_one_deploy_with_every_path()
    {
        _repo.Write("README.md");
        await _repo.CommitAllAsync("initial");
        Start();

        for (var i = 0; i < 1000; i++)
        {
            _repo.Write($"burst/File{i:D4}.cs", "x");
        }

        var deploy = await SettleAndDeployAsync();
        Assert.Equal(1000, deploy.Trigger.Paths.Count(p => p.StartsWith("burst/File", StringComparison.Ordinal)));
        Assert.True(_watcher!.EventsReceived >= 1000, $"{_watcher.EventsReceived} raw events");
        Assert.True(deploy.Trigger.EventCount <= _watcher.SignalsSent);
    }

    [Fact]
    public async Task Our_outputs_and_ignored_files_never_reach_a_deploy()
    {
        _repo.Write(".gitignore", "*.tmp\n");
        _repo.Write("src/App/App.csproj", "<Project />");
        await _repo.CommitAllAsync("initial");
        Start();

        for (var i = 0; i < 20; i++)
        {
            _repo.Write($"src/App/bin/Debug/File{i}.dll");
            _repo.Write($"src/App/obj/File{i}.json");
            _repo.Write($".cache/File{i}");
            _repo.Write($"deploy/docker/.build/File{i}");
            _repo.Write($"scratch{i}.tmp");
        }

        var deploy = await SettleAndDeployAsync();
        Assert.Equal([Sentinel], deploy.Trigger.Paths);
        Assert.True(_watcher!.EventsReceived >= 100, $"{_watcher.EventsReceived} raw events");
    }

    private sealed record Observation(DeployTrigger Trigger, string Head, bool GitBusy, int FilesUnderMany);
}
