namespace OpenShell.DevLoop.FileSystem;

/// <summary>
/// Recognises a full file system among I/O failures, and words it: a person told "No space left on device" about a
/// temporary file needs the folder whose file system filled and what to do about it.
/// </summary>
internal static class DiskFull
{
    /// <summary>The words <c>strerror(ENOSPC)</c> uses, as tools print them (dotnet, MSBuild, tar).</summary>
    public const string Words = "No space left on device";

    // ENOSPC and EDQUOT (the I/O exceptions of .NET on Unix carry the raw errno), and Windows' disk-full codes.
    private static readonly int[] s_codes = [28, 122, unchecked((int)0x80070070), unchecked((int)0x80070027)];

    // The words, for failures that carry no code: a file created with a preallocation size that does not fit is refused
    // by .NET with a plain IOException ("Failed to create '…' with allocation size … because the disk was full.").
    private static readonly string[] s_words = [Words, "Disk quota exceeded", "because the disk was full", "not enough space on the disk"];

    /// <summary>True when <paramref name="error"/> or one of its inner exceptions is a write that found no space.</summary>
    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is IOException io && (s_codes.Contains(io.HResult) || IsIn(io.Message)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a tool's output says it ran out of space.</summary>
    public static bool IsIn(string output) => output is not null && s_words.Any(w => output.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>The message: what was being written, and under which folder the file system is full.</summary>
    public static string Message(string what, string folder) =>
        $"no space left on device while {what}: the file system that holds '{folder}' is full";

    /// <summary>The remedy: free space there (<c>df -h</c> shows it), or <paramref name="elsewhere"/> when a setting moves the folder.</summary>
    public static string Remedy(string folder, string? elsewhere = null) =>
        $"Free space on that file system (df -h '{folder}' shows it){(elsewhere is null ? "" : $", or {elsewhere}")}, then run it again.";
}
