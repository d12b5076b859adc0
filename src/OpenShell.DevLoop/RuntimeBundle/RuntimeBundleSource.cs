namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// Maps OpenShell's runtime bundle environment variables to a source for one architecture. Local tarballs win over
/// URLs and the architecture-specific variable wins over the generic one:
/// <c>OPENSHELL_RUNTIME_BUNDLE_TARBALL_&lt;ARCH&gt;</c>, <c>OPENSHELL_RUNTIME_BUNDLE_TARBALL</c>,
/// <c>OPENSHELL_RUNTIME_BUNDLE_URL_&lt;ARCH&gt;</c>, <c>OPENSHELL_RUNTIME_BUNDLE_URL</c>.
/// </summary>
public static class RuntimeBundleSource
{
    /// <summary>The single-architecture tarball variable.</summary>
    public const string TarballVariable = "OPENSHELL_RUNTIME_BUNDLE_TARBALL";

    /// <summary>The single-architecture URL variable.</summary>
    public const string UrlVariable = "OPENSHELL_RUNTIME_BUNDLE_URL";

    /// <summary>The variable that overrides the download cache folder.</summary>
    public const string CacheVariable = "OPENSHELL_RUNTIME_BUNDLE_CACHE";

    /// <summary>Resolves the source for <paramref name="architecture"/>.</summary>
    /// <param name="architecture">amd64 or arm64 (aliases accepted).</param>
    /// <param name="environment">Reads a variable; the process environment when null.</param>
    /// <exception cref="RuntimeBundleException">Nothing is configured (<c>missing required variable: …</c>), the tarball named does not exist (<c>tarball not found: …</c>), or a URL is unusable.</exception>
    public static BundleSource Resolve(string architecture, Func<string, string?>? environment = null)
    {
        var arch = BundleArchitecture.Normalize(architecture);
        environment ??= Environment.GetEnvironmentVariable;
        var suffix = "_" + arch.ToUpperInvariant();
        foreach (var variable in new[] { TarballVariable + suffix, TarballVariable })
        {
            var value = environment(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!File.Exists(value))
            {
                throw new RuntimeBundleException(BundleRule.TarballNotFound, value, $"tarball not found: {value}");
            }

            return new BundleSource { Architecture = arch, TarballPath = Path.GetFullPath(value), Variable = variable };
        }

        foreach (var variable in new[] { UrlVariable + suffix, UrlVariable })
        {
            var value = environment(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "file"))
            {
                throw new RuntimeBundleException(BundleRule.SourceNotConfigured, null, $"{variable} is set to '{value}', which is not an absolute http(s) or file:// URL");
            }

            return new BundleSource { Architecture = arch, Url = url, Variable = variable };
        }

        throw new RuntimeBundleException(
            BundleRule.SourceNotConfigured,
            null,
            $"missing required variable: {TarballVariable} (set it, or {TarballVariable}{suffix}, to the {arch} runtime bundle tarball; or {UrlVariable}{suffix} or {UrlVariable} to its URL)");
    }

    /// <summary>
    /// Resolves the source and returns a local tarball path, downloading (and verifying) a URL source into the cache.
    /// </summary>
    public static async Task<string> ResolveTarballAsync(
        string architecture,
        BundleFetchOptions? fetchOptions = null,
        IProgress<BundleProgress>? progress = null,
        Func<string, string?>? environment = null,
        CancellationToken ct = default)
    {
        var source = Resolve(architecture, environment);
        if (source.TarballPath is not null)
        {
            return source.TarballPath;
        }

        var fetched = await RuntimeBundleFetcher.FetchAsync(source.Url!, source.Architecture, expectedSha256: null, fetchOptions, progress, ct).ConfigureAwait(false);
        return fetched.TarballPath;
    }
}
