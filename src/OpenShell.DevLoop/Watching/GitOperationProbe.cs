namespace OpenShell.DevLoop.Watching;

/// <summary>Looks for git's lock files and rebase folders in a git directory.</summary>
/// <param name="gitDirectory">The repository's git directory (usually <c>.git</c>).</param>
internal sealed class GitOperationProbe(string gitDirectory) : IGitOperationProbe
{
    private static readonly string[] LockFiles = ["index.lock", "HEAD.lock"];
    private static readonly string[] OperationFolders = ["rebase-merge", "rebase-apply"];

    /// <inheritdoc />
    public bool IsBusy(out string reason)
    {
        foreach (var file in LockFiles)
        {
            var path = Path.Combine(gitDirectory, file);
            if (File.Exists(path))
            {
                reason = $"git holds {path}; if no git command is running, it was left by a crashed one: remove the file";
                return true;
            }
        }

        foreach (var folder in OperationFolders)
        {
            if (Directory.Exists(Path.Combine(gitDirectory, folder)))
            {
                reason = "a rebase is in progress; finish it (git rebase --continue) or abort it (git rebase --abort)";
                return true;
            }
        }

        reason = string.Empty;
        return false;
    }
}
