namespace OpenShell.DevLoop.Git;

/// <summary>One path recorded in git's index, with the stat data git uses to tell whether it changed.</summary>
/// <param name="Path">The path relative to the working tree, with '/' separators.</param>
/// <param name="ObjectId">The blob id (lowercase hex) of the staged content.</param>
/// <param name="Mode">The git file mode (0100644, 0100755, 0120000 symlink, 0160000 submodule).</param>
/// <param name="Size">The file size git saw, truncated to 32 bits as git stores it.</param>
/// <param name="MtimeSeconds">The modification time's seconds.</param>
/// <param name="MtimeNanoseconds">The modification time's nanoseconds (0 when git was built without them).</param>
/// <param name="Stage">The merge stage: 0 normally, 1–3 for an unresolved conflict.</param>
/// <param name="AssumeUnchanged">Set by <c>git update-index --assume-unchanged</c>.</param>
/// <param name="SkipWorktree">Set for sparse checkouts: the file is absent from the working tree on purpose.</param>
/// <param name="IntentToAdd">Added with <c>git add -N</c>: the recorded blob is a placeholder.</param>
internal sealed record GitIndexEntry(
    string Path,
    string ObjectId,
    uint Mode,
    uint Size,
    uint MtimeSeconds,
    uint MtimeNanoseconds,
    int Stage,
    bool AssumeUnchanged,
    bool SkipWorktree,
    bool IntentToAdd)
{
    /// <summary>True for a symbolic link.</summary>
    public bool IsSymlink => (Mode & 0xF000) == 0xA000;

    /// <summary>True for a submodule (gitlink): its id is a commit, not a blob.</summary>
    public bool IsGitlink => (Mode & 0xF000) == 0xE000;
}
