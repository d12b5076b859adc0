namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>A bundle tarball written by <see cref="RuntimeBundlePacker"/>.</summary>
public sealed record PackedBundle
{
    /// <summary>The full path of the tarball written.</summary>
    public required string TarballPath { get; init; }

    /// <summary>The manifest written into it.</summary>
    public required BundleManifest Manifest { get; init; }

    /// <summary>The name of the top-level bundle directory.</summary>
    public required string BundleDirectoryName { get; init; }

    /// <summary>The sha256 of the tarball.</summary>
    public required string TarballSha256 { get; init; }
}
