namespace OpenShell.DevLoop.Git;

/// <summary>What HEAD resolves through, as files: enough to tell that the commit HEAD names may have changed.</summary>
internal static class GitHead
{
    /// <summary>
    /// A text that changes whenever HEAD, the branch it names or the packed refs change; null when that cannot be told
    /// from files (reftable storage, unreadable files), so callers ask git instead of trusting a cached answer.
    /// </summary>
    public static string? ReadState(GitRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        try
        {
            var head = File.ReadAllText(Path.Combine(repository.GitDirectory, "HEAD")).Trim();
            const string RefPrefix = "ref: ";
            if (!head.StartsWith(RefPrefix, StringComparison.Ordinal))
            {
                return head;
            }

            // A linked worktree keeps its own HEAD; branches live in the common directory.
            var commonFile = Path.Combine(repository.GitDirectory, "commondir");
            var common = File.Exists(commonFile)
                ? Path.GetFullPath(Path.Combine(repository.GitDirectory, File.ReadAllText(commonFile).Trim()))
                : repository.GitDirectory;
            if (Directory.Exists(Path.Combine(common, "reftable")))
            {
                return null;
            }

            var loose = Path.Combine(common, head[RefPrefix.Length..]);
            if (File.Exists(loose))
            {
                return head + "\n" + File.ReadAllText(loose).Trim();
            }

            var packed = new FileInfo(Path.Combine(common, "packed-refs"));
            return packed.Exists ? $"{head}\npacked {packed.Length} {packed.LastWriteTimeUtc.Ticks}" : $"{head}\nunborn";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
