namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Checks a bundle tarball against every staging rule without writing anything.</summary>
public static class RuntimeBundleVerifier
{
    /// <summary>
    /// Reads the tarball once and checks layout, manifest, sizes, hashes, links and required paths.
    /// </summary>
    /// <param name="tarballPath">The bundle tarball (.tar.gz, .tgz or .tar).</param>
    /// <param name="architecture">The architecture the bundle must declare, or null to accept either.</param>
    /// <param name="limits">Size and entry-count limits; <see cref="BundleLimits.Default"/> when null.</param>
    /// <param name="progress">Receives progress while the tarball is read.</param>
    /// <param name="ct">Cancels the read.</param>
    /// <exception cref="RuntimeBundleException">The bundle breaks a rule; the message names the entry and the rule.</exception>
    public static Task<VerifiedBundle> VerifyAsync(
        string tarballPath,
        string? architecture = null,
        BundleLimits? limits = null,
        IProgress<BundleProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tarballPath);
        var expected = architecture is null ? null : BundleArchitecture.Normalize(architecture);
        return new BundleExtractor(tarballPath, expected, limits ?? BundleLimits.Default, writeRoot: null, progress).RunAsync(ct);
    }
}
