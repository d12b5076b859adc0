namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>A verified bundle staged on disk.</summary>
public sealed record StagedBundle
{
    /// <summary>The bundle's manifest.</summary>
    public required BundleManifest Manifest { get; init; }

    /// <summary>The full path of the staged bundle directory: <c>&lt;destinationRoot&gt;/&lt;arch&gt;/&lt;bundle-dir&gt;</c>.</summary>
    public required string BundleDirectory { get; init; }

    /// <summary>The sha256 of the tarball that was staged.</summary>
    public required string TarballSha256 { get; init; }
}
