namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Bounds on what a bundle may hold, so a hostile tarball cannot fill the disk or exhaust memory.</summary>
public sealed record BundleLimits
{
    /// <summary>The limits used when none are given: 4 GiB of payload, 100 000 entries, a 16 MiB manifest.</summary>
    public static BundleLimits Default { get; } = new();

    /// <summary>Largest total size of all entries, in bytes.</summary>
    public long MaxPayloadBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Largest number of archive entries (files, directories and links).</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Largest manifest.json, in bytes; the manifest is the only entry held in memory.</summary>
    public int MaxManifestBytes { get; init; } = 16 * 1024 * 1024;
}
