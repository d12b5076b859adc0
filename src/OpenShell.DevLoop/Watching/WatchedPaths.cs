namespace OpenShell.DevLoop.Watching;

/// <summary>Classifies event paths without touching the disk or git.</summary>
internal static class WatchedPaths
{
    // Outputs of our own builds anywhere in the tree.
    private static readonly string[] OutputFolderNames = ["bin", "obj"];

    // Outputs of the dev loop, relative to the repository root.
    private static readonly string[] OutputRoots = [".cache/", "deploy/docker/.build/"];

    // Git files whose change means an operation that can rewrite the working tree, relative to the git directory.
    private static readonly string[] GitOperationFiles = ["HEAD", "index", "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "packed-refs", "info/exclude"];
    private static readonly string[] GitOperationFolders = ["refs/heads/", "refs/stash", "rebase-merge", "rebase-apply", "sequencer"];

    /// <summary>Classifies a path relative to the repository root ('/' separators).</summary>
    public static WatchedPathKind ClassifyTreePath(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (relativePath.Length == 0 || relativePath == ".")
        {
            return WatchedPathKind.Ignored;
        }

        if (relativePath == ".git")
        {
            // The folder itself, or the file that points a linked worktree at its git directory.
            return WatchedPathKind.Ignored;
        }

        if (relativePath.StartsWith(".git/", StringComparison.Ordinal))
        {
            return ClassifyGitPath(relativePath[".git/".Length..]);
        }

        foreach (var root in OutputRoots)
        {
            if (relativePath.StartsWith(root, StringComparison.Ordinal) || relativePath == root[..^1])
            {
                return WatchedPathKind.Ignored;
            }
        }

        foreach (var segment in relativePath.Split('/'))
        {
            if (OutputFolderNames.Contains(segment, StringComparer.Ordinal))
            {
                return WatchedPathKind.Ignored;
            }
        }

        return WatchedPathKind.WorkingTree;
    }

    /// <summary>Classifies a path relative to the git directory ('/' separators).</summary>
    public static WatchedPathKind ClassifyGitPath(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.EndsWith(".lock", StringComparison.Ordinal) ? relativePath[..^".lock".Length] : relativePath;
        if (GitOperationFiles.Contains(path, StringComparer.Ordinal))
        {
            return WatchedPathKind.GitOperation;
        }

        foreach (var folder in GitOperationFolders)
        {
            if (path.StartsWith(folder, StringComparison.Ordinal))
            {
                return WatchedPathKind.GitOperation;
            }
        }

        return WatchedPathKind.Ignored;
    }
}
