using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Configuration;

/// <summary>Where the GPU runtime bundle comes from (section <c>OpenShell:RuntimeBundle</c>, fed by <c>OPENSHELL_RUNTIME_BUNDLE_*</c>).</summary>
public sealed class RuntimeBundleSettings
{
    /// <summary>Upstream's words when <see cref="SkipSync"/> has no remote tarball to use.</summary>
    public const string SkipSyncNeedsRemoteTarball = "--skip-sync requires --remote-runtime-bundle-tarball (or OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL)";

    /// <summary>The tarball (<c>OPENSHELL_RUNTIME_BUNDLE_TARBALL</c>).</summary>
    public string? Tarball { get; set; }

    /// <summary>The amd64 tarball (<c>OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64</c>).</summary>
    public string? TarballAmd64 { get; set; }

    /// <summary>The arm64 tarball (<c>OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64</c>).</summary>
    public string? TarballArm64 { get; set; }

    /// <summary>The tarball's URL (<c>OPENSHELL_RUNTIME_BUNDLE_URL</c>).</summary>
    public string? Url { get; set; }

    /// <summary>The amd64 tarball's URL (<c>OPENSHELL_RUNTIME_BUNDLE_URL_AMD64</c>).</summary>
    public string? UrlAmd64 { get; set; }

    /// <summary>The arm64 tarball's URL (<c>OPENSHELL_RUNTIME_BUNDLE_URL_ARM64</c>).</summary>
    public string? UrlArm64 { get; set; }

    /// <summary>
    /// A tarball already on the Docker engine's machine (<c>OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL</c>,
    /// <c>--remote-runtime-bundle-tarball</c>): an absolute path there. Used only with <see cref="SkipSync"/>, as upstream's
    /// remote deploy uses it; it is streamed back through a helper container and verified like a local one.
    /// </summary>
    public string? RemoteTarball { get; set; }

    /// <summary>
    /// Send no local tarball (<c>--skip-sync</c>): the bundle is <see cref="RemoteTarball"/>, which is then required.
    /// </summary>
    public bool SkipSync { get; set; }

    /// <summary>These settings under upstream's variable names, for <see cref="RuntimeBundleSource.Resolve"/>.</summary>
    public string? Variable(string name) => name switch
    {
        RuntimeBundleSource.TarballVariable => Tarball,
        RuntimeBundleSource.TarballVariable + "_AMD64" => TarballAmd64,
        RuntimeBundleSource.TarballVariable + "_ARM64" => TarballArm64,
        RuntimeBundleSource.UrlVariable => Url,
        RuntimeBundleSource.UrlVariable + "_AMD64" => UrlAmd64,
        RuntimeBundleSource.UrlVariable + "_ARM64" => UrlArm64,
        _ => null,
    };
}
