namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>One entry of the bundle directory as read from the archive (hardlinks appear as the file they copy).</summary>
/// <param name="Kind">Regular file, directory or symlink.</param>
/// <param name="Size">The content size of a regular file.</param>
/// <param name="Sha256">The lower-case hex sha256 of a regular file's content.</param>
/// <param name="LinkTarget">A symlink's target.</param>
/// <param name="Mode">The permission bits from the archive.</param>
internal sealed record PayloadEntry(TarEntryKind Kind, long Size, string? Sha256, string? LinkTarget, int Mode);
