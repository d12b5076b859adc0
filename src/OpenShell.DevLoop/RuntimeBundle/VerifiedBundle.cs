namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>What verification found in a valid bundle tarball.</summary>
public sealed record VerifiedBundle
{
    /// <summary>The bundle's manifest.</summary>
    public required BundleManifest Manifest { get; init; }

    /// <summary>The name of the single top-level directory in the tarball.</summary>
    public required string BundleDirectoryName { get; init; }

    /// <summary>The sha256 of the tarball file itself.</summary>
    public required string TarballSha256 { get; init; }

    /// <summary>The number of payload entries (files and symlinks) the manifest declares.</summary>
    public int FileCount => Manifest.Files.Count;

    /// <summary>The total size of the payload files, in bytes.</summary>
    public long PayloadBytes => Manifest.PayloadBytes;
}
