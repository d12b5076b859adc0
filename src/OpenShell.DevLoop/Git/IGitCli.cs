namespace OpenShell.DevLoop.Git;

/// <summary>The two questions the planner still asks a git process: they need ignore rules and HEAD's tree.</summary>
internal interface IGitCli
{
    /// <summary>Untracked files that git does not ignore (<c>git ls-files --others --exclude-standard</c>).</summary>
    Task<IReadOnlyList<string>> ListUntrackedAsync(GitRepository repository, CancellationToken ct = default);

    /// <summary>Paths whose staged content differs from HEAD (<c>git diff-index --cached HEAD</c>); null when there is no commit yet.</summary>
    Task<IReadOnlyList<StagedChange>?> ListStagedAsync(GitRepository repository, CancellationToken ct = default);
}
