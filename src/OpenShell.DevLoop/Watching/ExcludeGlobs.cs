using Microsoft.Extensions.FileSystemGlobbing;

namespace OpenShell.DevLoop.Watching;

/// <summary>Builds the watcher's exclude predicate from glob patterns such as <c>**/bin/**</c>.</summary>
internal static class ExcludeGlobs
{
    /// <summary>A predicate that is true for a root-relative path matched by any of <paramref name="patterns"/>.</summary>
    public static Func<string, bool> ToPredicate(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var matcher = new Matcher(StringComparison.Ordinal);
        var any = false;
        foreach (var pattern in patterns)
        {
            matcher.AddInclude(pattern);
            any = true;
        }

        return any ? path => matcher.Match(path).HasMatches : static _ => false;
    }
}
