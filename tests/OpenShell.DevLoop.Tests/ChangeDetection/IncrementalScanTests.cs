using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ChangeDetection;

/// <summary>
/// A scan that re-checks only the paths a watcher reported must give exactly what a whole scan of the same tree gives, for
/// every kind of edit; where it cannot vouch for that (a folder, ignore rules, git rewrote the index) it scans the whole tree.
/// </summary>
public sealed class IncrementalScanTests
{
    public static TheoryData<string> Edits => new()
    {
        "modify a tracked input",
        "modify an untracked input",
        "delete a tracked input",
        "delete an untracked input",
        "add an untracked input",
        "add an untracked file that is no input",
        "modify a tracked file that is no input",
        "remove a folder of tracked inputs",
        "add a folder with files",
        "ignore a file that was untracked",
        "stage a file",
        "commit",
        "nothing",
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task Re_checking_the_reported_paths_gives_what_a_whole_scan_gives(string edit)
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write("src/OpenShell.Sandbox/Nested/A.cs", "// a\n");
        repository.Write("src/OpenShell.Sandbox/Nested/B.cs", "// b\n");
        await repository.CommitAllAsync("nested");
        repository.Write("src/OpenShell.Server/Untracked.cs", "// untracked\n");
        repository.Write("notes.txt", "untracked, no input\n");
        var git = GitRepository.Discover(repository.Root);
        var matcher = new ComponentMatcher(ComponentCatalog.Load(repository.Root));
        var scanner = new WorkingTreeScanner(new GitCli());
        await scanner.ScanAsync(git, matcher);

        var reported = await ApplyAsync(repository, edit);
        var incremental = await scanner.ScanAsync(git, matcher, reported);
        var whole = await new WorkingTreeScanner(new GitCli()).ScanAsync(git, matcher);

        Assert.Equal(whole.Files, incremental.Files);
        Assert.Equal(whole.Changes, incremental.Changes);
    }

    [Fact]
    public async Task Only_the_reported_paths_are_read_and_an_unreported_edit_is_not_seen_until_a_whole_scan()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var git = GitRepository.Discover(repository.Root);
        var matcher = new ComponentMatcher(ComponentCatalog.Load(repository.Root));
        var scanner = new WorkingTreeScanner(new GitCli());
        await scanner.ScanAsync(git, matcher);

        repository.Append(GitTestRepository.GatewayFile, "// edited");
        repository.Append(GitTestRepository.SupervisorFile, "// edited too, but not reported");
        var incremental = await scanner.ScanAsync(git, matcher, [GitTestRepository.GatewayFile]);

        // The proof that nothing else was looked at: the unreported edit is missing (a watcher never misses one).
        Assert.Equal(1, incremental.HashedFiles);
        Assert.Contains(incremental.Changes, c => c.Path == GitTestRepository.GatewayFile);
        Assert.DoesNotContain(incremental.Changes, c => c.Path == GitTestRepository.SupervisorFile);
        var whole = await scanner.ScanAsync(git, matcher, changedSince: null);
        Assert.Contains(whole.Changes, c => c.Path == GitTestRepository.SupervisorFile);
    }

    [Fact]
    public async Task A_scanner_that_never_scanned_the_whole_tree_does_so_whatever_is_reported()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Append(GitTestRepository.SupervisorFile, "// edited");
        var git = GitRepository.Discover(repository.Root);
        var matcher = new ComponentMatcher(ComponentCatalog.Load(repository.Root));

        var first = await new WorkingTreeScanner(new GitCli()).ScanAsync(git, matcher, [GitTestRepository.GatewayFile]);

        Assert.Contains(first.Changes, c => c.Path == GitTestRepository.SupervisorFile);
    }

    // Makes the edit and returns the paths a watcher would report for it.
    private static async Task<IReadOnlyCollection<string>> ApplyAsync(GitTestRepository repository, string edit)
    {
        switch (edit)
        {
            case "modify a tracked input":
                repository.Append(GitTestRepository.SupervisorFile, "// edited");
                return [GitTestRepository.SupervisorFile];
            case "modify an untracked input":
                repository.Append("src/OpenShell.Server/Untracked.cs", "// edited");
                return ["src/OpenShell.Server/Untracked.cs"];
            case "delete a tracked input":
                repository.Delete(GitTestRepository.GatewayFile);
                return [GitTestRepository.GatewayFile];
            case "delete an untracked input":
                repository.Delete("src/OpenShell.Server/Untracked.cs");
                return ["src/OpenShell.Server/Untracked.cs"];
            case "add an untracked input":
                repository.Write("src/OpenShell.Sandbox/New.cs", "// new\n");
                return ["src/OpenShell.Sandbox/New.cs"];
            case "add an untracked file that is no input":
                repository.Write("docs/new.md", "# new\n");
                return ["docs/new.md"];
            case "modify a tracked file that is no input":
                repository.Append(GitTestRepository.UnrelatedFile, "more");
                return [GitTestRepository.UnrelatedFile];
            case "remove a folder of tracked inputs":
                Directory.Delete(Path.Combine(repository.Root, "src/OpenShell.Sandbox/Nested"), recursive: true);
                return ["src/OpenShell.Sandbox/Nested"];
            case "add a folder with files":
                repository.Write("src/OpenShell.Sandbox/Fresh/C.cs", "// c\n");
                return ["src/OpenShell.Sandbox/Fresh", "src/OpenShell.Sandbox/Fresh/C.cs"];
            case "ignore a file that was untracked":
                repository.Write(".gitignore", "notes.txt\n");
                return [".gitignore"];
            case "stage a file":
                repository.Append(GitTestRepository.ChartFile, "# staged");
                await repository.GitAsync("add", GitTestRepository.ChartFile);
                return [GitTestRepository.ChartFile];
            case "commit":
                repository.Append(GitTestRepository.SharedFile, "// committed");
                await repository.CommitAllAsync("edit");
                return [GitTestRepository.SharedFile];
            default:
                return [];
        }
    }
}
