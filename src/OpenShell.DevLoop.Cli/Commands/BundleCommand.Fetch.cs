using System.CommandLine;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>bundle fetch --url URL --arch ARCH [--sha256 HEX] [--cache-dir DIR]</c>.</summary>
internal static partial class BundleCommand
{
    private static Command CreateFetch(TextWriter stdout, TextWriter stderr)
    {
        var url = new Option<string>("--url") { Description = "The tarball URL (http, https or file://).", Required = true };
        var arch = ArchOption(required: true);
        var sha = new Option<string?>("--sha256") { Description = "The tarball's expected sha256; a cached copy is then reused without downloading." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "The cache folder (default: OPENSHELL_RUNTIME_BUNDLE_CACHE or ~/.cache/openshell/runtime-bundles)." };
        var command = new Command("fetch", "Download a bundle into the cache (resuming an interrupted download), verify it and print its path.");
        command.Options.Add(url);
        command.Options.Add(arch);
        command.Options.Add(sha);
        command.Options.Add(cacheDir);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var text = parse.GetValue(url)!;
            var uri = Uri.TryCreate(text, UriKind.Absolute, out var parsed)
                ? parsed
                : throw new RuntimeBundleException(BundleRule.DownloadFailed, null, $"'{text}' is not an absolute URL: use http://, https:// or file://");
            var options = new BundleFetchOptions { CacheDirectory = parse.GetValue(cacheDir) };
            var fetched = await RuntimeBundleFetcher.FetchAsync(uri, parse.GetValue(arch)!, parse.GetValue(sha), options, new ProgressPrinter(stderr), ct).ConfigureAwait(false);
            await stderr.WriteLineAsync(fetched.Downloaded ? $"downloaded and verified {fetched.Manifest.Name} {fetched.Manifest.Version} (sha256 {fetched.TarballSha256})" : $"already cached (sha256 {fetched.TarballSha256}), verified").ConfigureAwait(false);
            await stdout.WriteLineAsync(fetched.TarballPath).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
