namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>The input files of every component as they are in the working tree, and git's change set.</summary>
/// <param name="Files">Every present input file, tracked or untracked-not-ignored, sorted by path (ordinal).</param>
/// <param name="Changes">The change set: staged and untracked paths (all of them) and unstaged changes to input files.</param>
/// <param name="HashedFiles">How many files had to be read and hashed for this snapshot (the rest came from git's index or the cache).</param>
internal sealed record WorkingTreeSnapshot(
    IReadOnlyList<InputFile> Files,
    IReadOnlyList<ChangedPath> Changes,
    int HashedFiles)
{
    /// <summary>
    /// For each of <see cref="Files"/>, in the same order, the components it feeds as the scanning matcher classified it
    /// (bit i = component i).
    /// </summary>
    public required ulong[] FileMasks { get; init; }
}
