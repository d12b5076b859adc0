namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// The glob shapes components.json uses — a literal path, <c>folder/**</c> and <c>**/segment/**</c> —
/// matched with string operations, exactly as Microsoft.Extensions.FileSystemGlobbing matches them
/// (ordinal case). Other shapes are left to the globbing library.
/// </summary>
internal sealed class SimpleGlob
{
    private readonly Func<string, bool> _isMatch;

    private SimpleGlob(Func<string, bool> isMatch, bool folderOnly)
    {
        _isMatch = isMatch;
        FolderOnly = folderOnly;
    }

    /// <summary>
    /// True for <c>folder/**</c> and <c>**/segment/**</c>: whether a path matches depends on its folder only, so every file of
    /// one folder gets the same answer.
    /// </summary>
    public bool FolderOnly { get; }

    /// <summary>True when the repository-relative <paramref name="path"/> matches.</summary>
    public bool IsMatch(string path) => _isMatch(path);

    /// <summary>Returns the fast matcher for <paramref name="glob"/>, or null when it has another shape.</summary>
    public static SimpleGlob? TryCreate(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        if (IsLiteral(glob))
        {
            return new SimpleGlob(path => string.Equals(path, glob, StringComparison.Ordinal), folderOnly: false);
        }

        if (glob.StartsWith("**/", StringComparison.Ordinal) && glob.EndsWith("/**", StringComparison.Ordinal) && glob.Length > 6)
        {
            var segment = glob[3..^3];
            if (IsLiteral(segment) && !segment.Contains('/', StringComparison.Ordinal))
            {
                return new SimpleGlob(path => HasFolder(path, segment), folderOnly: true);
            }
        }
        else if (glob.EndsWith("/**", StringComparison.Ordinal) && glob.Length > 3 && IsLiteral(glob[..^3]))
        {
            var prefix = glob[..^2];
            return new SimpleGlob(path => path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length, folderOnly: true);
        }

        return null;
    }

    // A folder segment (not the file name) equal to `segment`.
    private static bool HasFolder(string path, string segment)
    {
        var start = 0;
        while (true)
        {
            var slash = path.IndexOf('/', start);
            if (slash < 0)
            {
                return false;
            }

            if (slash - start == segment.Length && string.CompareOrdinal(path, start, segment, 0, segment.Length) == 0)
            {
                return true;
            }

            start = slash + 1;
        }
    }

    private static bool IsLiteral(string text) =>
        text.Length > 0
        && text.IndexOfAny(['*', '?', '[', ']', '{', '}', '\\']) < 0
        && !text.StartsWith('/')
        && !text.EndsWith('/')
        && !text.Contains("//", StringComparison.Ordinal)
        && text.Split('/').All(s => s is not ("." or ".."));
}
