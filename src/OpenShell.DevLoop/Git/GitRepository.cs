namespace OpenShell.DevLoop.Git;

/// <summary>A git working tree: its root folder and the git directory holding its index.</summary>
/// <param name="Root">The working tree's root folder.</param>
/// <param name="GitDirectory">The git directory (<c>.git</c>, or <c>.git/worktrees/x</c> for a linked worktree).</param>
public sealed record GitRepository(string Root, string GitDirectory)
{
    /// <summary>The index file.</summary>
    public string IndexPath => Path.Combine(GitDirectory, "index");

    /// <summary>Finds the working tree holding <paramref name="startDirectory"/> by walking up to the nearest <c>.git</c>.</summary>
    public static GitRepository Discover(string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(startDirectory);
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var dotGit = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(dotGit))
            {
                return new GitRepository(dir.FullName, dotGit);
            }

            if (File.Exists(dotGit))
            {
                return new GitRepository(dir.FullName, ReadGitFile(dotGit, dir.FullName));
            }
        }

        throw new GitException($"{startDirectory} is not inside a git working tree; run the command from the repository (or pass its folder).");
    }

    // A linked worktree or submodule has a `.git` file: "gitdir: <path>", relative to the working tree.
    private static string ReadGitFile(string dotGitFile, string root)
    {
        var text = File.ReadAllText(dotGitFile).Trim();
        const string Prefix = "gitdir:";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new GitException($"{dotGitFile} is a file but does not start with \"gitdir:\"; repair the worktree with `git worktree repair`.");
        }

        var gitDir = text[Prefix.Length..].Trim();
        return Path.GetFullPath(Path.IsPathRooted(gitDir) ? gitDir : Path.Combine(root, gitDir));
    }
}
