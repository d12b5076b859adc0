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
        var fingerprinter = new ComponentFingerprinter();
        var before = await scanner.ScanAsync(git, matcher);
        FingerprintsOf(before, matcher, fingerprinter);

        var reported = await ApplyAsync(repository, edit);
        var incremental = await scanner.ScanAsync(git, matcher, reported);
        var whole = await new WorkingTreeScanner(new GitCli()).ScanAsync(git, matcher);

        Assert.Equal(whole.Files, incremental.Files);
        Assert.Equal(whole.Changes, incremental.Changes);
        Assert.Equal(whole.Files.Select(f => matcher.MaskOf(f.Path)), incremental.FileMasks);
        Assert.Equal(whole.Files.Select(f => matcher.MaskOf(f.Path)), whole.FileMasks);

        // The fingerprints a long-lived planner computes from the re-checked paths are those of the whole tree.
        Assert.Equal(FingerprintsOf(whole, matcher, new ComponentFingerprinter()), FingerprintsOf(incremental, matcher, fingerprinter));
    }

    [Fact]
    public async Task A_file_keeps_its_record_until_its_content_changes_and_only_its_components_are_hashed_again()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var git = GitRepository.Discover(repository.Root);
        var matcher = new ComponentMatcher(ComponentCatalog.Load(repository.Root));
        var scanner = new WorkingTreeScanner(new GitCli());
        var fingerprinter = new ComponentFingerprinter();
        var first = await scanner.ScanAsync(git, matcher);
        var firstPrints = FingerprintsOf(first, matcher, fingerprinter);

        // Reported, but the same bytes: the same record, so every fingerprint is the one already known.
        var touched = await scanner.ScanAsync(git, matcher, [GitTestRepository.SupervisorFile]);
        Assert.Same(Record(first, GitTestRepository.SupervisorFile), Record(touched, GitTestRepository.SupervisorFile));
        Assert.Equal(firstPrints, FingerprintsOf(touched, matcher, fingerprinter));

        repository.Append(GitTestRepository.SupervisorFile, "// edited");
        var edited = await scanner.ScanAsync(git, matcher, [GitTestRepository.SupervisorFile]);
        Assert.NotSame(Record(first, GitTestRepository.SupervisorFile), Record(edited, GitTestRepository.SupervisorFile));
        Assert.Same(Record(first, GitTestRepository.GatewayFile), Record(edited, GitTestRepository.GatewayFile));
        var editedPrints = FingerprintsOf(edited, matcher, fingerprinter);
        Assert.NotEqual(firstPrints["supervisor"], editedPrints["supervisor"]);
        Assert.Equal(firstPrints["gateway"], editedPrints["gateway"]);
        Assert.Equal(FingerprintsOf(await new WorkingTreeScanner(new GitCli()).ScanAsync(git, matcher), matcher, new ComponentFingerprinter()), editedPrints);
    }

    [Fact]
    public void Equal_records_with_and_without_their_fingerprint_line_are_equal()
    {
        var used = new InputFile("src/A.cs", new string('a', 40));
        var fresh = new InputFile("src/A.cs", new string('a', 40));
        _ = ComponentFingerprint.Hash([used]);

        Assert.Equal(fresh, used);
        Assert.Equal(fresh.GetHashCode(), used.GetHashCode());
        Assert.NotEqual(fresh, used with { BlobId = new string('b', 40) });
        Assert.Equal(ComponentFingerprint.Hash([fresh]), ComponentFingerprint.Hash([used]));
    }

    [Fact]
    public void A_fingerprint_is_sha256_over_one_blob_id_and_path_line_per_file()
    {
        var files = new[] { new InputFile("src/A.cs", new string('a', 40)), new InputFile("src/Ä/B.cs", new string('b', 40)) };
        var text = $"{files[0].BlobId} src/A.cs\n{files[1].BlobId} src/Ä/B.cs\n";

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), ComponentFingerprint.Hash(files));
        Assert.Equal(string.Empty, ComponentFingerprint.Hash([]));
    }

    private static InputFile Record(WorkingTreeSnapshot snapshot, string path) => snapshot.Files.Single(f => f.Path == path);

    private static Dictionary<string, string> FingerprintsOf(WorkingTreeSnapshot snapshot, ComponentMatcher matcher, ComponentFingerprinter fingerprinter) =>
        matcher.Components.Select((c, bit) => (c.Name, fingerprinter.Compute(snapshot.Files, snapshot.FileMasks, bit).Fingerprint)).ToDictionary(p => p.Name, p => p.Fingerprint);

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
