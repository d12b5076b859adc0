namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>What <see cref="RuntimeBundlePacker"/> records in the manifest besides the payload.</summary>
public sealed record BundlePackOptions
{
    /// <summary>The name OpenShell's release pipeline gives its bundles.</summary>
    public const string DefaultName = "openshell-gpu-runtime-bundle";

    /// <summary>The version used when none is given.</summary>
    public const string DefaultVersion = "0.0.0-local";

    /// <summary>What a component's commit says when it is not known.</summary>
    public const string UnknownCommit = "unknown";

    /// <summary>The bundle name (<c>bundle_name</c>).</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>The bundle version (<c>bundle_version</c>).</summary>
    public string Version { get; init; } = DefaultVersion;

    /// <summary>The NVIDIA Container Toolkit the payload was built from.</summary>
    public BundleComponent Toolkit { get; init; } = new(DefaultVersion, UnknownCommit);

    /// <summary>The libnvidia-container the payload was built from.</summary>
    public BundleComponent Library { get; init; } = new(DefaultVersion, UnknownCommit);

    /// <summary>
    /// The <c>created_at</c> time; fixed by default so packing is reproducible (the CLI takes <c>SOURCE_DATE_EPOCH</c>).
    /// </summary>
    public DateTimeOffset CreatedAt { get; init; } = RuntimeBundlePacker.EntryTime;
}
