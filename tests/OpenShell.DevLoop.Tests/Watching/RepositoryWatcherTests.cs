using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

public sealed class RepositoryWatcherTests : IAsyncLifetime
{
    private readonly RecordingSink _sink = new();
    private TempGitRepository _repo = null!;

    public async Task InitializeAsync()
    {
        _repo = await TempGitRepository.CreateAsync();
        _repo.Write(".gitignore", "*.log\ngenerated/\n");
        _repo.Write("src/App/Program.cs", "class Program {}");
        _repo.Write("deploy/docker/Dockerfile.gateway", "FROM scratch");
        _repo.Write("docs/guide.md", "# guide");
        await _repo.CommitAllAsync("initial");
    }

    public Task DisposeAsync()
    {
        _repo.Dispose();
        return Task.CompletedTask;
    }

    private RepositoryWatcher Start(Func<string, FileSystemWatcher>? createWatcher = null)
    {
        var watcher = new RepositoryWatcher(
            new RepositoryWatcherOptions
            {
                RepositoryRoot = _repo.Root,
                IsExcluded = ExcludeGlobs.ToPredicate(["docs/**"]),
                RearmDelay = TimeSpan.FromMilliseconds(50),
            },
            _sink,
            createWatcher: createWatcher);
        watcher.Start();
        return watcher;
    }

    [Fact]
    public async Task Reports_an_edited_tracked_file()
    {
        using var watcher = Start();

        _repo.Write("src/App/Program.cs", "class Program { }");

        await _sink.WaitForPathAsync("src/App/Program.cs");
        Assert.Empty(_sink.Losses);
    }

    [Fact]
    public async Task Leaves_out_our_outputs_git_ignored_files_and_component_excludes()
    {
        using var watcher = Start();
        string[] ignored =
        [
            "src/App/bin/Debug/App.dll",
            "src/App/obj/project.assets.json",
            ".cache/cluster-deploy-fast.state",
            "deploy/docker/.build/context.tar",
            "build.log",
            "generated/api.g.cs",
            "docs/guide.md",
        ];
        foreach (var path in ignored)
        {
            _repo.Write(path);
        }

        // Events are handled in order: once the sentinel is reported, every earlier event was judged.
        _repo.Write("src/App/Sentinel.cs");
        await _sink.WaitForPathAsync("src/App/Sentinel.cs");

        Assert.DoesNotContain(_sink.AllPaths, p => ignored.Any(i => i == p || i.StartsWith(p + "/", StringComparison.Ordinal)));
        Assert.True(watcher.EventsReceived > ignored.Length, $"expected raw events for every write, got {watcher.EventsReceived}");
    }

    [Fact]
    public async Task Reports_the_files_of_a_folder_moved_into_the_tree()
    {
        using var outside = new OpenShell.Testing.TempDirectory("openshell-watch-outside");
        var folder = outside.Combine("Moved");
        Directory.CreateDirectory(Path.Combine(folder, "Nested"));
        File.WriteAllText(Path.Combine(folder, "A.cs"), "a");
        File.WriteAllText(Path.Combine(folder, "Nested", "B.cs"), "b");
        File.WriteAllText(Path.Combine(folder, "trace.log"), "ignored by git");
        using var watcher = Start();

        // One rename event for the folder; inotify says nothing about what is inside.
        Directory.Move(folder, Path.Combine(_repo.Root, "src", "Moved"));

        await _sink.WaitForPathAsync("src/Moved/Nested/B.cs");
        Assert.Contains("src/Moved/A.cs", _sink.AllPaths);
        Assert.DoesNotContain("src/Moved/trace.log", _sink.AllPaths);
    }

    [Fact]
    public async Task Reports_git_activity_separately_from_paths()
    {
        using var watcher = Start();

        await _repo.GitAsync("checkout", "-q", "-b", "feature");

        await _sink.WaitForGitActivityAsync();
        Assert.DoesNotContain(_sink.AllPaths, p => p == ".git" || p.StartsWith(".git/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_watcher_error_is_reported_then_the_watch_is_rearmed()
    {
        var created = new List<FaultInjectingWatcher>();
        using var watcher = Start(path =>
        {
            var w = new FaultInjectingWatcher(path);
            lock (created)
            {
                created.Add(w);
            }

            return w;
        });

        created[0].Fail(new InternalBufferOverflowException());

        await _sink.WaitForLossAsync();
        Assert.Contains("overflowed", Assert.Single(_sink.Losses), StringComparison.Ordinal);
        await _sink.WaitForRestoreAsync();
        lock (created)
        {
            Assert.Equal(2, created.Count);
        }

        // The new watch delivers events; the lost one is gone.
        _repo.Write("src/App/AfterRearm.cs");
        await _sink.WaitForPathAsync("src/App/AfterRearm.cs");
        Assert.True(created[0].IsDisposed);
    }

    [Fact]
    public async Task A_watch_that_cannot_start_is_reported_with_the_fix_and_retried()
    {
        var attempts = 0;
        using var watcher = Start(path =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new IOException("The configured user limit (128) on the number of inotify instances has been reached.");
            }

            return new FileSystemWatcher(path);
        });

        await _sink.WaitForLossAsync();
        Assert.Contains("fs.inotify.max_user_instances", Assert.Single(_sink.Losses), StringComparison.Ordinal);
        await _sink.WaitForRestoreAsync();

        _repo.Write("src/App/Late.cs");
        await _sink.WaitForPathAsync("src/App/Late.cs");
    }
}
