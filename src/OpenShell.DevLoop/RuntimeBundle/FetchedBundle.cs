namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>A verified bundle tarball in the download cache.</summary>
public sealed record FetchedBundle
{
    /// <summary>The cached tarball's full path.</summary>
    public required string TarballPath { get; init; }

    /// <summary>The tarball's sha256 (also the cache key).</summary>
    public required string TarballSha256 { get; init; }

    /// <summary>The bundle's manifest.</summary>
    public required BundleManifest Manifest { get; init; }

    /// <summary>False when the tarball was already cached and nothing was downloaded.</summary>
    public required bool Downloaded { get; init; }
}
