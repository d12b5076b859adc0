using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Session;

/// <summary>
/// The runtime bundle from the settings (<c>OPENSHELL_RUNTIME_BUNDLE_*</c>, whichever layer set them), downloading a URL
/// into the cache; when none is configured and <c>OpenShell:DevHost:SyntheticRuntimeBundle</c> is on, a synthetic one.
/// With <c>--skip-sync</c>, the tarball already on the Docker engine's machine instead (<see cref="RemoteTarballFetcher"/>
/// through <paramref name="docker"/>), verified the same way.
/// </summary>
internal sealed partial class RuntimeBundleResolver(OpenShellSettings settings, CachePaths cache, IDockerClient? docker = null) : IRuntimeBundleResolver
{
    public async Task<ResolvedBundle> ResolveAsync(string architecture, ILogger logger, CancellationToken ct)
    {
        var (tarball, origin) = settings.RuntimeBundle.SkipSync
            ? await FetchRemoteAsync(logger, ct).ConfigureAwait(false)
            : await LocateAsync(architecture, ct).ConfigureAwait(false);
        LogSource(logger, tarball, origin);
        var verified = await RuntimeBundleVerifier.VerifyAsync(tarball, architecture, ct: ct).ConfigureAwait(false);
        LogVerified(logger, verified.Manifest.Name, verified.Manifest.Version, verified.Manifest.Architecture, verified.FileCount);
        return new ResolvedBundle(tarball, origin, verified);
    }

    private async Task<(string Tarball, string Origin)> FetchRemoteAsync(ILogger logger, CancellationToken ct)
    {
        var remote = settings.RuntimeBundle.RemoteTarball;
        if (string.IsNullOrWhiteSpace(remote))
        {
            throw new RuntimeBundleException(BundleRule.SourceNotConfigured, null, RuntimeBundleSettings.SkipSyncNeedsRemoteTarball);
        }

        var engine = docker ?? throw new InvalidOperationException("--remote-runtime-bundle-tarball needs the Docker engine whose machine holds the tarball.");
        var local = await RemoteTarballFetcher.FetchAsync(engine, remote.Trim(), settings.Images.RuntimeDeps, cache.RemoteBundles, logger, ct).ConfigureAwait(false);
        return (local, $"{remote.Trim()} on the Docker engine's machine (--remote-runtime-bundle-tarball with --skip-sync)");
    }

    private async Task<(string Tarball, string Origin)> LocateAsync(string architecture, CancellationToken ct)
    {
        var configured = settings.RuntimeBundle;
        var nothingSet = new[] { configured.Tarball, configured.TarballAmd64, configured.TarballArm64, configured.Url, configured.UrlAmd64, configured.UrlArm64 }
            .All(string.IsNullOrWhiteSpace);
        if (nothingSet && settings.DevHost.SyntheticRuntimeBundle)
        {
            var synthetic = await SyntheticRuntimeBundle.EnsureAsync(cache.SyntheticBundle, architecture, ct).ConfigureAwait(false);
            return (synthetic, "synthetic (OpenShell:DevHost:SyntheticRuntimeBundle: no GPU runtime)");
        }

        // Throws, naming the variables to set, when nothing is configured.
        var source = RuntimeBundleSource.Resolve(architecture, configured.Variable);
        var tarball = await RuntimeBundleSource.ResolveTarballAsync(architecture, environment: configured.Variable, ct: ct).ConfigureAwait(false);
        return (tarball, source.Variable);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime bundle {Tarball} (from {Origin})")]
    private static partial void LogSource(ILogger logger, string tarball, string origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verified {Name} {Version} for {Architecture}: {Files} payload entries")]
    private static partial void LogVerified(ILogger logger, string name, string version, string architecture, int files);
}
