namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Where the bundle for one architecture comes from: a local tarball or a URL, and the variable that said so.</summary>
public sealed record BundleSource
{
    /// <summary>The canonical architecture.</summary>
    public required string Architecture { get; init; }

    /// <summary>The local tarball path, when a <c>_TARBALL</c> variable is set.</summary>
    public string? TarballPath { get; init; }

    /// <summary>The tarball URL, when only a <c>_URL</c> variable is set.</summary>
    public Uri? Url { get; init; }

    /// <summary>The environment variable the source came from.</summary>
    public required string Variable { get; init; }
}
