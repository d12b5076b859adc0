using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ChangeDetection;

/// <summary>When the scanner trusts a cached blob id, and when it reads the file again.</summary>
public sealed class WorkingTreeScannerTests
{
    private const string Probe = "src/OpenShell.Sandbox/Probe.cs";

    [Fact]
    public async Task A_file_with_fine_timestamps_is_read_once_then_served_from_the_cache()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write(Probe, "// probe\n");
        File.SetLastWriteTimeUtc(Path.Combine(repository.Root, Probe), DateTime.UtcNow.AddMilliseconds(-1500).AddTicks(1234));
        var (scanner, git, matcher) = Create(repository);

        var first = await scanner.ScanAsync(git, matcher);
        var second = await scanner.ScanAsync(git, matcher);

        Assert.Equal(1, first.HashedFiles);
        Assert.Equal(0, second.HashedFiles);
        Assert.Equal(BlobOf(first), BlobOf(second));
    }

    [Fact]
    public async Task A_whole_second_timestamp_may_be_coarse_so_a_recent_file_is_read_again()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write(Probe, "// probe\n");
        var (scanner, git, matcher) = Create(repository);

        // A whole-second stamp within the last second, set just before the first scan: a loaded machine must not let it
        // age past the 2 s window before that scan hashes it.
        var now = DateTime.UtcNow;
        File.SetLastWriteTimeUtc(Path.Combine(repository.Root, Probe), new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc));

        await scanner.ScanAsync(git, matcher);
        var second = await scanner.ScanAsync(git, matcher);

        Assert.Equal(1, second.HashedFiles);
    }

    [Fact]
    public async Task A_same_size_rewrite_within_the_clock_tick_is_not_missed()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var path = Path.Combine(repository.Root, Probe);
        repository.Write(Probe, "// aaaa\n");

        // A stamp in the clock's tick of the first hash, however long a loaded machine takes to get to it.
        var mtime = DateTime.UtcNow.AddSeconds(1).AddTicks(1234);
        File.SetLastWriteTimeUtc(path, mtime);
        var (scanner, git, matcher) = Create(repository);
        var before = BlobOf(await scanner.ScanAsync(git, matcher));

        // A coarse clock can give the rewrite the same size and mtime as the version that was hashed.
        repository.Write(Probe, "// bbbb\n");
        File.SetLastWriteTimeUtc(path, mtime);
        var after = await scanner.ScanAsync(git, matcher);

        Assert.NotEqual(before, BlobOf(after));
        Assert.Equal(GitBlobId.OfFile(path), BlobOf(after));
    }

    [Fact]
    public async Task A_reused_scanner_sees_staging_commits_and_HEAD_moves_that_leave_the_index_alone()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write(Probe, "// probe\n");
        var (scanner, git, matcher) = Create(repository);

        Assert.Equal(ChangeKind.Untracked, KindOf(await scanner.ScanAsync(git, matcher)));
        await repository.GitAsync("add", Probe);
        Assert.Equal(ChangeKind.Added, KindOf(await scanner.ScanAsync(git, matcher)));
        await repository.GitAsync("commit", "--quiet", "--no-verify", "-m", "probe");
        Assert.Null(KindOf(await scanner.ScanAsync(git, matcher)));
        await repository.GitAsync("commit", "--quiet", "--no-verify", "--allow-empty", "-m", "empty");
        Assert.Null(KindOf(await scanner.ScanAsync(git, matcher)));

        // A soft reset moves the branch and leaves the index file untouched: the probe is staged again.
        var indexBefore = await File.ReadAllBytesAsync(Path.Combine(repository.Root, ".git", "index"));
        await repository.GitAsync("reset", "--quiet", "--soft", "HEAD~2");
        Assert.Equal(indexBefore, await File.ReadAllBytesAsync(Path.Combine(repository.Root, ".git", "index")));
        Assert.Equal(ChangeKind.Added, KindOf(await scanner.ScanAsync(git, matcher)));

        // So does a detached checkout of the probe's commit.
        var probeCommit = (await repository.GitAsync("rev-parse", "HEAD@{1}")).Trim();
        await repository.GitAsync("checkout", "--quiet", "--detach", probeCommit);
        Assert.Null(KindOf(await scanner.ScanAsync(git, matcher)));
    }

    [Fact]
    public async Task Packed_refs_count_as_HEAD_moves_too()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write(Probe, "// probe\n");
        await repository.GitAsync("add", Probe);
        var (scanner, git, matcher) = Create(repository);
        Assert.Equal(ChangeKind.Added, KindOf(await scanner.ScanAsync(git, matcher)));

        await repository.GitAsync("commit", "--quiet", "--no-verify", "-m", "probe");
        await repository.GitAsync("pack-refs", "--all");
        Assert.Null(KindOf(await scanner.ScanAsync(git, matcher)));
        await repository.GitAsync("update-ref", "--no-deref", "HEAD", "HEAD~1");
        await repository.GitAsync("pack-refs", "--all");

        Assert.Equal(ChangeKind.Added, KindOf(await scanner.ScanAsync(git, matcher)));
    }

    private static ChangeKind? KindOf(WorkingTreeSnapshot snapshot) =>
        snapshot.Changes.FirstOrDefault(c => c.Path == Probe) is { } change ? change.Kind : null;

    private static (WorkingTreeScanner Scanner, GitRepository Git, ComponentMatcher Matcher) Create(GitTestRepository repository) =>
        (new WorkingTreeScanner(new GitCli()), GitRepository.Discover(repository.Root), new ComponentMatcher(ComponentCatalog.Load(repository.Root)));

    private static string BlobOf(WorkingTreeSnapshot snapshot) => snapshot.Files.Single(f => f.Path == Probe).BlobId;
}
