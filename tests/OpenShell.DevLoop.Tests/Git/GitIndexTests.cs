using OpenShell.DevLoop.Git;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Git;

public sealed class GitIndexTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Reads_the_same_entries_as_git_ls_files(int version)
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write("src/OpenShell.Server/deeply/nested/path/with/long/names/File.cs", "x");
        repository.Write("src/OpenShell.Server/deeply/nested/Other.cs", "y");
        await repository.GitAsync("add", "-A");
        repository.Write("src/OpenShell.Sandbox/Intent.cs", "later");
        await repository.GitAsync("add", "--intent-to-add", "src/OpenShell.Sandbox/Intent.cs");
        await repository.GitAsync("update-index", "--index-version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var index = GitIndex.Read(GitRepository.Discover(repository.Root));

        // An intent-to-add entry needs extended flags, so git writes at least version 3.
        Assert.Equal(Math.Max(version, 3), index.Version);
        var expected = (await repository.GitAsync("ls-files", "--stage"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Path: line.Split('\t')[1], ObjectId: line.Split(' ')[1]))
            .ToList();
        Assert.Equal(expected, index.Entries.Select(e => (e.Path, e.ObjectId)).ToList());
        Assert.True(index.Entries.Single(e => e.Path == "src/OpenShell.Sandbox/Intent.cs").IntentToAdd);
        Assert.All(index.Entries.Where(e => e.Path != "src/OpenShell.Sandbox/Intent.cs"), e => Assert.False(e.IntentToAdd));
    }

    [Fact]
    public async Task Finds_the_index_of_a_linked_worktree()
    {
        using var repository = await GitTestRepository.CreateAsync();
        using var other = new TempDirectory("openshell-worktree");
        var worktree = Path.Combine(other.Path, "wt");
        await repository.GitAsync("worktree", "add", "--quiet", "-b", "side", worktree);

        var discovered = GitRepository.Discover(Path.Combine(worktree, "src"));

        Assert.Equal(worktree, discovered.Root);
        Assert.Contains(Path.Combine(".git", "worktrees"), discovered.GitDirectory, StringComparison.Ordinal);
        Assert.NotEmpty(GitIndex.Read(discovered).Entries);
    }

    [Fact]
    public void A_folder_outside_any_repository_is_refused_with_a_fix()
    {
        using var folder = new TempDirectory();

        var ex = Assert.Throws<GitException>(() => GitRepository.Discover(folder.Path));

        Assert.Contains("not inside a git working tree", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<byte[], string> BadIndexes => new()
    {
        { "JUNK0000000000000000"u8.ToArray(), "bad signature" },
        { [.. "DIRC"u8, 0, 0, 0, 9, 0, 0, 0, 0], "version 9" },
        { [.. "DIRC"u8, 0, 0, 0, 2, 0, 0, 0, 5, 1, 2, 3], "truncated" },
    };

    [Theory]
    [MemberData(nameof(BadIndexes))]
    public void A_damaged_index_is_refused_with_a_fix(byte[] data, string cause)
    {
        var ex = Assert.Throws<GitException>(() => GitIndex.Parse(data, "index", DateTime.UtcNow));

        Assert.Contains(cause, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blob_ids_match_git_hash_object()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write("blob.bin", "line one\nline two\n\0binary\u00e9");
        repository.Write("empty", string.Empty);

        foreach (var name in new[] { "blob.bin", "empty" })
        {
            var expected = (await repository.GitAsync("hash-object", name)).Trim();
            Assert.Equal(expected, GitBlobId.OfFile(Path.Combine(repository.Root, name)));
        }
    }
}
