using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

public sealed class RuntimeBundleFetcherTests
{
    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request()
    {
        using var temp = new TempDirectory("bundle-fetch");
        var content = await File.ReadAllBytesAsync(LargeBundle(temp));
        await using var server = new BundleHttpServer(content, dropAfterBytesOnce: content.Length / 2);
        var progress = new RecordingProgress();

        var fetched = await RuntimeBundleFetcher.FetchAsync(server.BundleUrl, "amd64", options: Options(temp), progress: progress);

        Assert.True(fetched.Downloaded);
        Assert.Equal(new[] { "(none)", $"bytes={content.Length / 2}-" }, server.Requests.Select(r => r ?? "(none)").ToArray());
        Assert.Equal(content, await File.ReadAllBytesAsync(fetched.TarballPath));
        Assert.Equal(Path.Combine(temp.Path, "cache", fetched.TarballSha256, "bundle-amd64.tar.gz"), fetched.TarballPath);
        Assert.Contains(progress.Reports, p => p.Operation == BundleOperation.Download && p.BytesDone == content.Length && p.BytesTotal == content.Length);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(temp.Path, "cache", "partial")));
    }

    [Fact]
    public async Task A_server_without_range_support_restarts_cleanly()
    {
        using var temp = new TempDirectory("bundle-fetch-norange");
        var content = await File.ReadAllBytesAsync(LargeBundle(temp));
        await using var server = new BundleHttpServer(content, dropAfterBytesOnce: content.Length / 3, supportRange: false);

        var fetched = await RuntimeBundleFetcher.FetchAsync(server.BundleUrl, "amd64", options: Options(temp));

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(content, await File.ReadAllBytesAsync(fetched.TarballPath));
    }

    [Fact]
    public async Task A_known_sha256_in_the_cache_is_not_downloaded_again()
    {
        using var temp = new TempDirectory("bundle-fetch-cache");
        var content = await File.ReadAllBytesAsync(new TestBundle().Write(temp.Combine("bundle.tgz")));
        await using var server = new BundleHttpServer(content);
        var first = await RuntimeBundleFetcher.FetchAsync(server.BundleUrl, "amd64", options: Options(temp));

        var second = await RuntimeBundleFetcher.FetchAsync(server.BundleUrl, "amd64", first.TarballSha256.ToUpperInvariant(), Options(temp));

        Assert.False(second.Downloaded);
        Assert.Single(server.Requests);
        Assert.Equal(first.TarballPath, second.TarballPath);
    }

    [Fact]
    public async Task A_wrong_sha256_is_refused_and_nothing_is_cached()
    {
        using var temp = new TempDirectory("bundle-fetch-sha");
        var content = await File.ReadAllBytesAsync(new TestBundle().Write(temp.Combine("bundle.tgz")));
        await using var server = new BundleHttpServer(content);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleFetcher.FetchAsync(server.BundleUrl, "amd64", new string('a', 64), Options(temp)));

        Assert.Equal(BundleRule.TarballChecksumMismatch, error.Rule);
        Assert.Equal([Path.Combine(temp.Path, "cache", "partial")], Directory.EnumerateFileSystemEntries(temp.Combine("cache")));
        Assert.Empty(Directory.EnumerateFiles(temp.Combine("cache", "partial")));
    }

    [Fact]
    public async Task An_invalid_bundle_is_refused_and_nothing_is_cached()
    {
        using var temp = new TempDirectory("bundle-fetch-invalid");
        var bundle = new TestBundle();
        bundle.RemoveFile("usr/bin/nvidia-ctk");
        var content = await File.ReadAllBytesAsync(bundle.Write(temp.Combine("bundle.tgz")));
        await using var server = new BundleHttpServer(content);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleFetcher.FetchAsync(server.BundleUrl, "amd64", options: Options(temp)));

        Assert.Equal(BundleRule.RequiredAssetUnlisted, error.Rule);
        Assert.Empty(Directory.EnumerateFiles(temp.Combine("cache"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_missing_url_reports_the_status()
    {
        using var temp = new TempDirectory("bundle-fetch-404");
        await using var server = new BundleHttpServer([1, 2, 3]);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => RuntimeBundleFetcher.FetchAsync(new Uri(server.BaseUrl, "nope.tgz"), "amd64", options: Options(temp)));

        Assert.Equal(BundleRule.DownloadFailed, error.Rule);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_urls_are_fetched_into_the_cache()
    {
        using var temp = new TempDirectory("bundle-fetch-file");
        var tarball = new TestBundle().Write(temp.Combine("local bundle.tgz"));

        var fetched = await RuntimeBundleFetcher.FetchAsync(new Uri(tarball), "x86_64", options: Options(temp));

        Assert.True(fetched.Downloaded);
        Assert.StartsWith(temp.Combine("cache"), fetched.TarballPath, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(tarball), await File.ReadAllBytesAsync(fetched.TarballPath));
        Assert.Equal("0.1.0", fetched.Manifest.Version);
    }

    [Fact]
    public async Task Resolve_tarball_downloads_a_url_source()
    {
        using var temp = new TempDirectory("bundle-fetch-source");
        var tarball = new TestBundle().Write(temp.Combine("bundle.tgz"));

        var path = await RuntimeBundleSource.ResolveTarballAsync(
            "amd64",
            Options(temp),
            environment: v => v == "OPENSHELL_RUNTIME_BUNDLE_URL_AMD64" ? new Uri(tarball).ToString() : null);

        Assert.StartsWith(temp.Combine("cache"), path, StringComparison.Ordinal);
    }

    private static BundleFetchOptions Options(TempDirectory temp) => new() { CacheDirectory = temp.Combine("cache") };

    /// <summary>A bundle of a few MiB, so the interruption happens mid-stream rather than in one buffer.</summary>
    private static string LargeBundle(TempDirectory temp)
    {
        var bundle = new TestBundle();
        var index = bundle.Files.FindIndex(f => f.Path.EndsWith(".so.1.17.8", StringComparison.Ordinal));
        bundle.Files[index] = bundle.Files[index] with { Content = TestBundle.Binary("big", 4 * 1024 * 1024) };
        return bundle.Write(temp.Combine("large.tgz"));
    }

    private sealed class RecordingProgress : IProgress<BundleProgress>
    {
        public List<BundleProgress> Reports { get; } = [];

        public void Report(BundleProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }
}
