namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// The bundle's <c>manifest.json</c>: what the bundle is and every payload file it holds, with sizes and hashes.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The file name of the manifest inside the bundle directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The schema version this code reads and writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The manifest schema version (<see cref="CurrentSchemaVersion"/>).</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>The bundle's name, e.g. <c>nvidia-container-toolkit</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The bundle's version.</summary>
    public required string Version { get; init; }

    /// <summary>The canonical architecture, <c>amd64</c> or <c>arm64</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>One entry per payload file and symlink, paths relative to the bundle directory.</summary>
    public required IReadOnlyList<BundleManifestFile> Files { get; init; }

    /// <summary>The number of regular files declared (symlinks excluded).</summary>
    public int RegularFileCount => Files.Count(f => !f.IsSymlink);

    /// <summary>The total size of the declared regular files, in bytes.</summary>
    public long PayloadBytes => Files.Sum(f => f.Size ?? 0);
}
