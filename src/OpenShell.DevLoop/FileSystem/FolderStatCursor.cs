namespace OpenShell.DevLoop.FileSystem;

/// <summary>
/// Stats paths under one root that come folder by folder (a git index is in path order): the folder is opened once and
/// each file is read by its name in it, so the kernel walks one path component per file instead of all of them. One per
/// thread; disposing closes the open folder.
/// </summary>
internal sealed class FolderStatCursor(string root) : IDisposable
{
    private string? _folder;
    private int _fd = -1;

    /// <summary>As <see cref="FileStat.TryRead"/> for <paramref name="relativePath"/> ('/'-separated, under the root).</summary>
    public bool TryRead(string relativePath, out FileStat stat)
    {
        var slash = relativePath.LastIndexOf('/');
        var folder = slash < 0 ? "" : relativePath[..slash];
        if (!string.Equals(folder, _folder, StringComparison.Ordinal))
        {
            FileStat.CloseFolder(_fd);
            _folder = folder;
            _fd = FileStat.OpenFolder(folder.Length == 0 ? root : Path.Combine(root, folder));
        }

        return _fd >= 0
            ? FileStat.TryReadAt(_fd, relativePath.AsSpan(slash + 1), out stat)
            : FileStat.TryRead(Path.Combine(root, relativePath), out stat);
    }

    public void Dispose()
    {
        FileStat.CloseFolder(_fd);
        _fd = -1;
    }
}
