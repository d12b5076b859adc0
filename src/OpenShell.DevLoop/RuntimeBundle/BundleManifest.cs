namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// The bundle's <c>manifest.json</c> in the schema OpenShell's release pipeline writes (<c>schema_version</c> 1): what
/// the bundle is, the two components it was built from, and every payload file and symlink it holds.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The file name of the manifest inside the bundle directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The schema version this code reads and writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The key of the NVIDIA Container Toolkit in <c>components</c>.</summary>
    public const string ToolkitComponent = "nvidia_container_toolkit";

    /// <summary>The key of libnvidia-container in <c>components</c>.</summary>
    public const string LibraryComponent = "libnvidia_container";

    /// <summary>The manifest schema version (<c>schema_version</c>, <see cref="CurrentSchemaVersion"/>).</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>The bundle's name (<c>bundle_name</c>), e.g. <c>openshell-gpu-runtime-bundle</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The bundle's version (<c>bundle_version</c>).</summary>
    public required string Version { get; init; }

    /// <summary>The architecture (<c>architecture</c>): <c>amd64</c> or <c>arm64</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>When the bundle was produced (<c>created_at</c>), as written, e.g. <c>2026-03-18T12:34:56Z</c>.</summary>
    public required string CreatedAt { get; init; }

    /// <summary>The NVIDIA Container Toolkit the bundle was built from (<c>components.nvidia_container_toolkit</c>).</summary>
    public required BundleComponent Toolkit { get; init; }

    /// <summary>The libnvidia-container the bundle was built from (<c>components.libnvidia_container</c>).</summary>
    public required BundleComponent Library { get; init; }

    /// <summary>One entry per payload file and symlink, paths relative to the bundle directory.</summary>
    public required IReadOnlyList<BundleManifestFile> Files { get; init; }

    /// <summary>The bundle directory name the producer uses: <c>&lt;bundle_name&gt;_&lt;bundle_version&gt;_&lt;architecture&gt;</c>.</summary>
    public string DirectoryName => $"{Name}_{Version}_{Architecture}";

    /// <summary>The number of regular files declared (symlinks excluded).</summary>
    public int RegularFileCount => Files.Count(f => !f.IsSymlink);

    /// <summary>The total size of the declared regular files, in bytes.</summary>
    public long PayloadBytes => Files.Sum(f => f.Size ?? 0);
}
