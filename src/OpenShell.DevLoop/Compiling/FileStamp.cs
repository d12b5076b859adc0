namespace OpenShell.DevLoop.Compiling;

/// <summary>A file's length and modification time (both -1 when it does not exist): what tells an edit apart.</summary>
internal readonly record struct FileStamp(long Length, long Ticks)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks) : new FileStamp(-1, -1);
    }
}
