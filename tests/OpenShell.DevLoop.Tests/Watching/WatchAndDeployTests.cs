using System.Collections.Concurrent;
using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>The watcher and the deploy loop together, on real git repositories with real time (short settings).</summary>
public sealed class WatchAndDeployTests : IAsyncLifetime
{
    private static readonly DeployLoopOptions Options = new() { QuietPeriod = TimeSpan.FromMilliseconds(300), MaxWait = TimeSpan.FromSeconds(2) };

    // Long enough for any straggling event to have produced a second deploy; the counts are what is asserted.
    private static readonly TimeSpan Settle = Options.QuietPeriod * 6;

    private readonly ConcurrentQueue<Observation> _observations = new();
    private readonly SemaphoreSlim _deployed = new(0);
    private TempGitRepository _repo = null!;
    private DeployLoop? _loop;
    private RepositoryWatcher? _watcher;

    public async Task InitializeAsync() => _repo = await TempGitRepository.CreateAsync();

    public async Task DisposeAsync()
    {
        _watcher?.Dispose();
        if (_loop is not null)
        {
            await _loop.DisposeAsync();
        }

        _repo.Dispose();
        _deployed.Dispose();
    }

    private void Start(DeployLoopOptions? options = null)
    {
        _loop = new DeployLoop(DeployAsync, options ?? Options, new GitOperationProbe(_repo.GitDirectory));
        _watcher = new RepositoryWatcher(new RepositoryWatcherOptions { RepositoryRoot = _repo.Root }, _loop);
        _watcher.Start();
    }

    // Looks at the repository the moment the deploy starts, as the planner would.
    private Task<DeployOutcome> DeployAsync(DeployTrigger trigger, CancellationToken ct)
    {
        _observations.Enqueue(new Observation(
            trigger,
            File.ReadAllText(Path.Combine(_repo.GitDirectory, "HEAD")).Trim(),
            File.Exists(Path.Combine(_repo.GitDirectory, "index.lock")),
            Directory.Exists(Path.Combine(_repo.GitDirectory, "rebase-merge")) || Directory.Exists(Path.Combine(_repo.GitDirectory, "rebase-apply")),
            Directory.Exists(Path.Combine(_repo.Root, "many")) ? Directory.GetFiles(Path.Combine(_repo.Root, "many")).Length : 0));
        _deployed.Release();
        return Task.FromResult(DeployOutcome.Success());
    }

    private async Task<Observation> NextDeployAsync()
    {
        Assert.True(await _deployed.WaitAsync(TimeSpan.FromSeconds(30)), "no deploy started");
        return _observations.Last();
    }

    private async Task AssertNoFurtherDeployAsync(int expected)
    {
        await Task.Delay(Settle);
        Assert.Equal(expected, _loop!.DeploysStarted);
    }

    [Fact]
    public async Task A_checkout_of_a_branch_with_many_files_gives_one_deploy_after_git_finishes()
    {
        _repo.Write("README.md", "main");
        await _repo.CommitAllAsync("main");
        await _repo.GitAsync("checkout", "-q", "-b", "wide");
        for (var i = 0; i < 500; i++)
        {
            _repo.Write($"many/File{i:D4}.cs", $"class File{i} {{}}");
        }

        await _repo.CommitAllAsync("many files");
        await _repo.GitAsync("checkout", "-q", "main");
        Start();

        await _repo.GitAsync("checkout", "-q", "wide");

        var deploy = await NextDeployAsync();
        Assert.Equal("ref: refs/heads/wide", deploy.Head);
        Assert.False(deploy.IndexLocked);
        Assert.Equal(500, deploy.FilesUnderMany);
        Assert.Equal(DeployTriggerKind.GitOperation, deploy.Trigger.Kind);
        await AssertNoFurtherDeployAsync(1);
    }

    [Fact]
    public async Task A_rebase_gives_one_deploy_after_git_finishes()
    {
        _repo.Write("README.md", "base");
        await _repo.CommitAllAsync("base");
        await _repo.GitAsync("checkout", "-q", "-b", "feature");
        for (var commit = 0; commit < 4; commit++)
        {
            for (var i = 0; i < 100; i++)
            {
                _repo.Write($"many/File{i:D3}.cs", $"// feature commit {commit}");
            }

            await _repo.CommitAllAsync($"feature {commit}");
        }

        await _repo.GitAsync("checkout", "-q", "main");
        _repo.Write("README.md", "moved on");
        await _repo.CommitAllAsync("main moves on");
        await _repo.GitAsync("checkout", "-q", "feature");
        Start();

        await _repo.GitAsync("rebase", "-q", "main");

        var deploy = await NextDeployAsync();
        Assert.Equal("ref: refs/heads/feature", deploy.Head);
        Assert.False(deploy.IndexLocked);
        Assert.False(deploy.RebaseInProgress);
        Assert.Equal(100, deploy.FilesUnderMany);
        await AssertNoFurtherDeployAsync(1);
    }

    [Fact]
    public async Task A_thousand_files_written_in_a_burst_give_one_deploy_with_every_path()
    {
        _repo.Write("README.md");
        await _repo.CommitAllAsync("initial");
        // Coalescing is under test here, not the maximum wait: a slow disk must not split the burst.
        Start(Options with { MaxWait = TimeSpan.FromSeconds(60) });

        for (var i = 0; i < 1000; i++)
        {
            _repo.Write($"burst/File{i:D4}.cs", "x");
        }

        var deploy = await NextDeployAsync();
        Assert.Equal(1000, deploy.Trigger.Paths.Count(p => p.StartsWith("burst/File", StringComparison.Ordinal)));
        await AssertNoFurtherDeployAsync(1);
        Assert.True(_watcher!.EventsReceived >= 1000, $"{_watcher.EventsReceived} raw events");
    }

    [Fact]
    public async Task Our_outputs_and_ignored_files_never_deploy()
    {
        _repo.Write(".gitignore", "*.tmp\n");
        _repo.Write("src/App/App.csproj", "<Project />");
        await _repo.CommitAllAsync("initial");
        Start();

        for (var i = 0; i < 50; i++)
        {
            _repo.Write($"src/App/bin/Debug/File{i}.dll");
            _repo.Write($"src/App/obj/File{i}.json");
            _repo.Write($".cache/File{i}");
            _repo.Write($"scratch{i}.tmp");
        }

        await AssertNoFurtherDeployAsync(0);
        Assert.True(_watcher!.EventsReceived >= 200, $"{_watcher.EventsReceived} raw events");
        Assert.Equal(0, _watcher.SignalsSent);
    }

    private sealed record Observation(DeployTrigger Trigger, string Head, bool IndexLocked, bool RebaseInProgress, int FilesUnderMany);
}
