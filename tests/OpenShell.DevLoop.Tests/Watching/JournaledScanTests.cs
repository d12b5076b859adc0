using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.Watching;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>
/// The real watcher feeding the change journal, and scans that re-check only what it reported: after each step of an
/// editing session (edits, new folders, deletes, renames, commits, a checkout away and back) they see every input as a
/// whole scan does. A new sentinel renamed in last shows that the watcher has delivered everything before it.
/// </summary>
public sealed class JournaledScanTests : IAsyncLifetime
{
    private GitTestRepository _repository = null!;
    private RepositoryWatcher? _watcher;

    public async Task InitializeAsync() => _repository = await GitTestRepository.CreateAsync();

    public Task DisposeAsync()
    {
        _watcher?.Dispose();
        _repository.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Through_an_editing_session_the_journaled_scan_sees_every_input_a_whole_scan_sees()
    {
        var git = GitRepository.Discover(_repository.Root);
        var matcher = new ComponentMatcher(ComponentCatalog.Load(_repository.Root));
        var journal = new ChangeJournal();
        var seen = new RecordingSink();
        _watcher = new RepositoryWatcher(
            new RepositoryWatcherOptions { RepositoryRoot = _repository.Root, IsExcluded = ExcludeGlobs.ToPredicate(["**/bin/**", "**/obj/**"]) },
            new JournalingSink(journal, seen));
        _watcher.Start();
        journal.Arm();
        var scanner = new WorkingTreeScanner(new GitCli());
        var incrementalScans = 0;

        async Task CheckAsync(string step)
        {
            await SettleAsync(seen);
            var changed = journal.Take(scanner);
            incrementalScans += changed is null ? 0 : 1;
            var journaled = await scanner.ScanAsync(git, matcher, changed);
            var whole = await new WorkingTreeScanner(new GitCli()).ScanAsync(git, matcher);
            Assert.True(whole.Files.SequenceEqual(journaled.Files), $"after '{step}' the files differ: reported {(changed is null ? "null" : $"[{string.Join(", ", changed)}]")}; seen {string.Join(" | ", seen.Changes.Select(c => $"{c.GitActivity}/{c.Rescan}:{string.Join(",", c.Paths)}"))}; "
                + $"whole only: {string.Join(", ", whole.Files.Except(journaled.Files))}; journaled only: {string.Join(", ", journaled.Files.Except(whole.Files))}");
            Assert.True(Inputs(matcher, whole).SequenceEqual(Inputs(matcher, journaled)), $"after '{step}' the input changes differ");
        }

        await CheckAsync("start");
        _repository.Append(GitTestRepository.SupervisorFile, "// edit 1");
        await CheckAsync("edit a tracked input");
        _repository.Write("src/OpenShell.Sandbox/Fresh/Deep/New.cs", "// new\n");
        await CheckAsync("make a folder with a new input");
        _repository.Write("src/OpenShell.Sandbox/bin/Debug/out.dll", "binary");
        await CheckAsync("build output in an excluded folder");
        File.Move(Path.Combine(_repository.Root, GitTestRepository.GatewayFile), Path.Combine(_repository.Root, "src/OpenShell.Server/Renamed.cs"));
        await CheckAsync("rename a tracked input");
        _repository.Delete(GitTestRepository.SharedFile);
        await CheckAsync("delete a shared input");
        await _repository.CommitAllAsync("work");
        await CheckAsync("commit everything");
        await _repository.GitAsync("checkout", "-q", "-b", "other");
        _repository.Append(GitTestRepository.ChartFile, "# other");
        await _repository.CommitAllAsync("other");
        await _repository.GitAsync("checkout", "-q", "main");
        await CheckAsync("a checkout away and back");
        _repository.Append(GitTestRepository.SupervisorFile, "// edit 2");
        _repository.Write("src/OpenShell.Sandbox/Fresh/Deep/New.cs", "// rewritten\n");
        await CheckAsync("two more edits");
        Directory.Delete(Path.Combine(_repository.Root, "src/OpenShell.Sandbox/Fresh"), recursive: true);
        await CheckAsync("remove a folder");

        // Most steps were answered from the journal, not by scanning the whole tree.
        Assert.True(incrementalScans >= 5, $"only {incrementalScans} scans used the journal");
    }

    private static IEnumerable<ChangedPath> Inputs(ComponentMatcher matcher, WorkingTreeSnapshot snapshot)
    {
        var masks = matcher.Classify(snapshot.Changes.Select(c => c.Path));
        return snapshot.Changes.Where(c => masks[c.Path] != 0);
    }

    private async Task SettleAsync(RecordingSink seen)
    {
        // A new name each time: the sink also answers with events it saw before.
        var sentinel = $"sentinel-{Guid.NewGuid():N}.txt";
        var staged = Path.Combine(Path.GetDirectoryName(_repository.Root)!, $"{Path.GetFileName(_repository.Root)}.{sentinel}");
        await File.WriteAllTextAsync(staged, sentinel);
        File.Move(staged, Path.Combine(_repository.Root, sentinel));
        await seen.WaitForPathAsync(sentinel);
    }
}
