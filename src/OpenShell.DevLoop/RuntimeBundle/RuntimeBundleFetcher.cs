using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// Downloads a bundle tarball (http, https or file://) into a cache keyed by its sha256, resuming an interrupted
/// download with an HTTP Range request when the server allows it, and verifies the bundle before caching it.
/// </summary>
public static class RuntimeBundleFetcher
{
    private const int CopyBufferSize = 128 * 1024;
    private const string PartialFolder = "partial";

    /// <summary>
    /// The cache folder: <c>OPENSHELL_RUNTIME_BUNDLE_CACHE</c> when set, else
    /// <c>$XDG_CACHE_HOME/openshell/runtime-bundles</c>, else <c>~/.cache/openshell/runtime-bundles</c>.
    /// </summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable(RuntimeBundleSource.CacheVariable) is { Length: > 0 } explicitCache)
            {
                return Path.GetFullPath(explicitCache);
            }

            var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cacheHome))
            {
                cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }

            return Path.Combine(cacheHome, "openshell", "runtime-bundles");
        }
    }

    /// <summary>
    /// Returns the verified cached tarball for <paramref name="url"/>, downloading it when it is not cached yet.
    /// With <paramref name="expectedSha256"/> a cached copy is used without any download.
    /// </summary>
    /// <param name="url">An http, https or file URL.</param>
    /// <param name="architecture">The architecture the bundle must declare.</param>
    /// <param name="expectedSha256">The tarball's expected sha256 (hex), when known.</param>
    /// <param name="options">Cache folder, attempts, limits, HTTP handler.</param>
    /// <param name="progress">Receives download and verification progress.</param>
    /// <param name="ct">Cancels the fetch; a partial download is kept for the next attempt.</param>
    /// <exception cref="RuntimeBundleException">The download failed, the hash differs or the bundle is invalid.</exception>
    public static async Task<FetchedBundle> FetchAsync(
        Uri url,
        string architecture,
        string? expectedSha256 = null,
        BundleFetchOptions? options = null,
        IProgress<BundleProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var arch = BundleArchitecture.Normalize(architecture);
        options ??= new BundleFetchOptions();
        var expected = NormaliseSha(expectedSha256);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https" or "file"))
        {
            throw new RuntimeBundleException(BundleRule.DownloadFailed, null, $"'{url}' is not an http(s) or file:// URL");
        }

        var cache = Path.GetFullPath(options.CacheDirectory ?? DefaultCacheDirectory);
        var fileName = CacheFileName(url);
        if (expected is not null && FindCached(cache, expected) is { } cached)
        {
            try
            {
                var verified = await RuntimeBundleVerifier.VerifyAsync(cached, arch, options.Limits, progress, ct).ConfigureAwait(false);
                if (verified.TarballSha256 == expected)
                {
                    return new FetchedBundle { TarballPath = cached, TarballSha256 = expected, Manifest = verified.Manifest, Downloaded = false };
                }
            }
            catch (RuntimeBundleException ex) when (ex.Rule is BundleRule.CorruptArchive or BundleRule.NotATarball)
            {
                // A damaged cache entry is replaced by a fresh download below.
            }

            RuntimeBundleStager.DeleteQuietly(Path.GetDirectoryName(cached)!);
        }

        var partial = Path.Combine(cache, PartialFolder, UrlKey(url) + ".part");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        await DownloadAsync(url, partial, options, progress, ct).ConfigureAwait(false);

        VerifiedBundle bundle;
        try
        {
            bundle = await RuntimeBundleVerifier.VerifyAsync(partial, arch, options.Limits, progress, ct).ConfigureAwait(false);
            if (expected is not null && bundle.TarballSha256 != expected)
            {
                throw new RuntimeBundleException(BundleRule.TarballChecksumMismatch, url.ToString(), $"downloaded a tarball with sha256 {bundle.TarballSha256}, but {expected} was expected: check the URL and the --sha256 value");
            }
        }
        catch (RuntimeBundleException)
        {
            DeletePartial(partial);
            throw;
        }

        var destination = Path.Combine(cache, bundle.TarballSha256, fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Move(partial, destination, overwrite: true);
        DeletePartial(partial);
        return new FetchedBundle { TarballPath = destination, TarballSha256 = bundle.TarballSha256, Manifest = bundle.Manifest, Downloaded = true };
    }

    private static async Task DownloadAsync(Uri url, string partial, BundleFetchOptions options, IProgress<BundleProgress>? progress, CancellationToken ct)
    {
        if (url.IsFile)
        {
            await CopyLocalAsync(url.LocalPath, partial, progress, ct).ConfigureAwait(false);
            return;
        }

        using var client = new HttpClient(options.Handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }, disposeHandler: options.Handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Exception? last = null;
        for (var attempt = 1; attempt <= Math.Max(1, options.MaxAttempts); attempt++)
        {
            try
            {
                if (await TryDownloadOnceAsync(client, url, partial, progress, ct).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                last = ex;
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                last = ex;
            }

            // Brief back-off before resuming; the partial file keeps what has arrived.
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct).ConfigureAwait(false);
        }

        throw new RuntimeBundleException(BundleRule.DownloadFailed, url.ToString(), $"the download did not complete after {options.MaxAttempts} attempts ({last?.Message}); run the fetch again to resume", last);
    }

    /// <summary>One request: resumes from the partial file when possible. True when the file is complete.</summary>
    private static async Task<bool> TryDownloadOnceAsync(HttpClient client, Uri url, string partial, IProgress<BundleProgress>? progress, CancellationToken ct)
    {
        var validatorPath = partial + ".validator";
        var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        var validator = File.Exists(validatorPath) ? await File.ReadAllTextAsync(validatorPath, ct).ConfigureAwait(false) : null;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0 && !string.IsNullOrEmpty(validator))
        {
            request.Headers.Range = new RangeHeaderValue(existing, null);
            request.Headers.TryAddWithoutValidation("If-Range", validator);
        }
        else
        {
            existing = 0;
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            DeletePartial(partial);
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                throw new HttpRequestException($"the server answered {status} {response.ReasonPhrase}");
            }

            throw new RuntimeBundleException(BundleRule.DownloadFailed, url.ToString(), $"the server answered {status} {response.ReasonPhrase}: check the URL");
        }

        var resuming = response.StatusCode == HttpStatusCode.PartialContent && existing > 0;
        if (resuming && response.Content.Headers.ContentRange?.From != existing)
        {
            // The server sent another range than asked for: start over rather than guess.
            DeletePartial(partial);
            return false;
        }

        var newValidator = response.Headers.ETag?.ToString() ?? response.Content.Headers.LastModified?.ToString("R");
        if (!resuming)
        {
            existing = 0;
            if (newValidator is null)
            {
                File.Delete(validatorPath);
            }
            else
            {
                await File.WriteAllTextAsync(validatorPath, newValidator, ct).ConfigureAwait(false);
            }
        }

        long? total = resuming ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength;
        var output = new FileStream(partial, resuming ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 0);
        await using (output.ConfigureAwait(false))
        {
            var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await CopyWithProgressAsync(body, output, existing, total, url.ToString(), progress, ct).ConfigureAwait(false);
            }
        }

        var length = new FileInfo(partial).Length;
        if (total is { } expectedLength && length != expectedLength)
        {
            throw new IOException($"the connection closed after {length} of {expectedLength} bytes");
        }

        File.Delete(validatorPath);
        return true;
    }

    private static async Task CopyLocalAsync(string source, string partial, IProgress<BundleProgress>? progress, CancellationToken ct)
    {
        if (!File.Exists(source))
        {
            throw new RuntimeBundleException(BundleRule.DownloadFailed, source, "does not exist: check the file:// URL");
        }

        var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 0);
            await using (output.ConfigureAwait(false))
            {
                await CopyWithProgressAsync(input, output, 0, input.Length, source, progress, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task CopyWithProgressAsync(Stream input, Stream output, long done, long? total, string what, IProgress<BundleProgress>? progress, CancellationToken ct)
    {
        var buffer = new byte[CopyBufferSize];
        var lastReport = done;
        progress?.Report(new BundleProgress(BundleOperation.Download, what, done, total));
        int read;
        while ((read = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            done += read;
            if (done - lastReport >= 4 * 1024 * 1024)
            {
                lastReport = done;
                progress?.Report(new BundleProgress(BundleOperation.Download, what, done, total));
            }
        }

        progress?.Report(new BundleProgress(BundleOperation.Download, what, done, total));
    }

    private static string? FindCached(string cache, string sha)
    {
        var folder = Path.Combine(cache, sha);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).FirstOrDefault() : null;
    }

    private static string? NormaliseSha(string? sha)
    {
        if (sha is null)
        {
            return null;
        }

        var trimmed = sha.Trim();
        if (trimmed.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[7..];
        }

        return trimmed.Length == 64 && trimmed.All(char.IsAsciiHexDigit)
            ? trimmed.ToLowerInvariant()
            : throw new RuntimeBundleException(BundleRule.TarballChecksumMismatch, null, $"'{sha}' is not a sha256: give 64 hex digits");
    }

    private static string CacheFileName(Uri url)
    {
        var name = Path.GetFileName(Uri.UnescapeDataString(url.AbsolutePath));
        return string.IsNullOrEmpty(name) || name.StartsWith('.') || name.Any(c => c is '/' or '\\' or '\0') ? "bundle.tar.gz" : name;
    }

    private static string UrlKey(Uri url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)))[..32];

    private static void DeletePartial(string partial)
    {
        File.Delete(partial);
        File.Delete(partial + ".validator");
    }
}
