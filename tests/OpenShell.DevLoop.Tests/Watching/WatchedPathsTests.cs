using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

public sealed class WatchedPathsTests
{
    public static TheoryData<string, string> TreePaths => new()
    {
        { "src/OpenShell.Server/Program.cs", nameof(WatchedPathKind.WorkingTree) },
        { "README.md", nameof(WatchedPathKind.WorkingTree) },
        { "src/OpenShell.Server/bin/Debug/x.dll", nameof(WatchedPathKind.Ignored) },
        { "src/OpenShell.Server/obj", nameof(WatchedPathKind.Ignored) },
        { "tools/bin", nameof(WatchedPathKind.Ignored) },
        { "src/binary/file.cs", nameof(WatchedPathKind.WorkingTree) },
        { ".cache", nameof(WatchedPathKind.Ignored) },
        { ".cache/cluster-deploy-fast.state", nameof(WatchedPathKind.Ignored) },
        { "src/.cache/notes", nameof(WatchedPathKind.WorkingTree) },
        { "deploy/docker/.build/gateway/context.tar", nameof(WatchedPathKind.Ignored) },
        { "deploy/docker/Dockerfile.gateway", nameof(WatchedPathKind.WorkingTree) },
        { ".git", nameof(WatchedPathKind.Ignored) },
        { ".gitignore", nameof(WatchedPathKind.WorkingTree) },
        { ".git/index.lock", nameof(WatchedPathKind.GitOperation) },
        { ".git/objects/ab/cdef", nameof(WatchedPathKind.Ignored) },
    };

    public static TheoryData<string, string> GitPaths => new()
    {
        { "HEAD", nameof(WatchedPathKind.GitOperation) },
        { "HEAD.lock", nameof(WatchedPathKind.GitOperation) },
        { "index", nameof(WatchedPathKind.GitOperation) },
        { "index.lock", nameof(WatchedPathKind.GitOperation) },
        { "ORIG_HEAD", nameof(WatchedPathKind.GitOperation) },
        { "MERGE_HEAD", nameof(WatchedPathKind.GitOperation) },
        { "refs/heads/main", nameof(WatchedPathKind.GitOperation) },
        { "refs/heads/feature/x.lock", nameof(WatchedPathKind.GitOperation) },
        { "packed-refs.lock", nameof(WatchedPathKind.GitOperation) },
        { "rebase-merge", nameof(WatchedPathKind.GitOperation) },
        { "rebase-merge/done", nameof(WatchedPathKind.GitOperation) },
        { "rebase-apply/next", nameof(WatchedPathKind.GitOperation) },
        { "info/exclude", nameof(WatchedPathKind.GitOperation) },
        { "objects/pack/pack-1.pack", nameof(WatchedPathKind.Ignored) },
        { "logs/HEAD", nameof(WatchedPathKind.Ignored) },
        { "FETCH_HEAD", nameof(WatchedPathKind.Ignored) },
        { "refs/remotes/origin/main", nameof(WatchedPathKind.Ignored) },
        { "COMMIT_EDITMSG", nameof(WatchedPathKind.Ignored) },
    };

    [Theory]
    [MemberData(nameof(TreePaths))]
    public void Classifies_working_tree_paths(string path, string expected) =>
        Assert.Equal(expected, WatchedPaths.ClassifyTreePath(path).ToString());

    [Theory]
    [MemberData(nameof(GitPaths))]
    public void Classifies_git_directory_paths(string path, string expected) =>
        Assert.Equal(expected, WatchedPaths.ClassifyGitPath(path).ToString());

    [Theory]
    [InlineData("docs/guide.md", true)]
    [InlineData("src/App/Program.cs", false)]
    [InlineData("src/App/Generated/x.g.cs", true)]
    public void Exclude_globs_become_a_predicate(string path, bool excluded)
    {
        var isExcluded = ExcludeGlobs.ToPredicate(["docs/**", "**/Generated/**"]);

        Assert.Equal(excluded, isExcluded(path));
    }
}
