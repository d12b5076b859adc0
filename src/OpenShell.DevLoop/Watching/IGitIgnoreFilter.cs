namespace OpenShell.DevLoop.Watching;

/// <summary>Asks git which paths it ignores, in one call per batch.</summary>
internal interface IGitIgnoreFilter
{
    /// <summary>Returns the subset of <paramref name="relativePaths"/> that git ignores.</summary>
    Task<IReadOnlySet<string>> IgnoredAsync(IReadOnlyCollection<string> relativePaths, CancellationToken ct = default);
}
