namespace OpenShell.DevLoop.Watching;

/// <summary>What the repository watcher watches and what it leaves out.</summary>
internal sealed record RepositoryWatcherOptions
{
    /// <summary>The working tree's root folder.</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>The git directory; defaults to <c>.git</c> under the root. Watched too when it lies outside the root (linked worktrees).</summary>
    public string? GitDirectory { get; init; }

    /// <summary>Components' excludes: true for a root-relative path ('/' separators) that never counts.</summary>
    public Func<string, bool> IsExcluded { get; init; } = static _ => false;

    /// <summary>The first wait before re-arming a lost watch; doubled on each failure up to <see cref="MaxRearmDelay"/>.</summary>
    public TimeSpan RearmDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts to re-arm a lost watch.</summary>
    public TimeSpan MaxRearmDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The git directory in effect: the option, or <c>.git</c> under the root, following a linked worktree's <c>gitdir:</c> file.</summary>
    public string ResolveGitDirectory()
    {
        if (GitDirectory is not null)
        {
            return Path.GetFullPath(GitDirectory);
        }

        var dotGit = Path.Combine(RepositoryRoot, ".git");
        if (File.Exists(dotGit))
        {
            const string Prefix = "gitdir:";
            var line = File.ReadLines(dotGit).FirstOrDefault() ?? string.Empty;
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{dotGit} is a file but does not start with '{Prefix}': repair the worktree (git worktree repair) or set the git directory explicitly.");
            }

            return Path.GetFullPath(line[Prefix.Length..].Trim(), RepositoryRoot);
        }

        return Path.GetFullPath(dotGit);
    }
}
