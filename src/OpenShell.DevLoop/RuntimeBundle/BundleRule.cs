namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>The rule a runtime bundle broke; every <see cref="RuntimeBundleException"/> names one.</summary>
/// <remarks>
/// The rules OpenShell's own consumer enforces print its messages word for word; the archive-level ones print its
/// <c>tar extraction reported warnings or errors</c> followed by our detail; the stricter ones we add print our own
/// words. <see cref="RuntimeBundleException"/> picks the form.
/// </remarks>
public enum BundleRule
{
    /// <summary>The file is not a tar archive (plain or compressed) that can be read.</summary>
    NotATarball,

    /// <summary>The archive is truncated or its compressed stream is corrupt.</summary>
    CorruptArchive,

    /// <summary>An entry is absolute, contains <c>..</c>, lies under a symlink or would land outside the bundle directory.</summary>
    UnsafePath,

    /// <summary>The archive does not hold exactly one top-level directory, or a file sits at the top level.</summary>
    TopLevelLayout,

    /// <summary>The bundle directory has no manifest.json.</summary>
    ManifestMissing,

    /// <summary>manifest.json is not valid JSON or a field has the wrong type or value (<c>malformed manifest.json</c>).</summary>
    ManifestInvalid,

    /// <summary>A required manifest field is absent or blank (<c>missing required manifest field: …</c>).</summary>
    ManifestFieldMissing,

    /// <summary>The manifest declares another architecture than the target.</summary>
    ArchitectureMismatch,

    /// <summary>A manifest path is not a clean relative path inside the bundle directory.</summary>
    InvalidListedPath,

    /// <summary>A path the manifest lists is not in the payload with the listed entry type.</summary>
    DeclaredFileMissing,

    /// <summary>A payload file's sha256 differs from the manifest.</summary>
    ChecksumMismatch,

    /// <summary>A payload file's size differs from the manifest.</summary>
    SizeMismatch,

    /// <summary>One of the runtime assets the cluster image needs is not listed in manifest.json.</summary>
    RequiredAssetUnlisted,

    /// <summary>The payload holds a file or symlink the manifest does not list.</summary>
    UndeclaredFile,

    /// <summary>A path the cluster image needs is missing from the payload.</summary>
    RequiredPathMissing,

    /// <summary>A required binary is not a regular file (a symlinked binary is refused).</summary>
    RequiredBinaryType,

    /// <summary>A required directory is something else.</summary>
    RequiredPathNotDirectory,

    /// <summary>No <c>usr/lib/&lt;triple&gt;/libnvidia-container*.so*</c> for the target architecture.</summary>
    RequiredLibraryMissing,

    /// <summary>The tarball named by the switch or the variable does not exist.</summary>
    TarballNotFound,

    /// <summary>The target platform (<c>DOCKER_PLATFORM</c>) is not one the build supports.</summary>
    UnsupportedPlatform,

    /// <summary>Two ways of naming the target architecture disagree.</summary>
    ArchitectureConflict,

    /// <summary>A symlink or hardlink points outside the bundle directory (or at nothing it may point to).</summary>
    LinkEscapes,

    /// <summary>An entry is a device, fifo, socket or another kind a bundle must not contain.</summary>
    UnsupportedEntryType,

    /// <summary>The same path appears twice, in the archive or in the manifest.</summary>
    DuplicateEntry,

    /// <summary>The payload (or the manifest) is larger than the configured limit.</summary>
    SizeLimitExceeded,

    /// <summary>The archive holds more entries than the configured limit.</summary>
    EntryCountExceeded,

    /// <summary>An architecture name is neither amd64 nor arm64 (nor an alias).</summary>
    UnknownArchitecture,

    /// <summary>No bundle source is configured (<c>missing required variable: OPENSHELL_RUNTIME_BUNDLE_TARBALL</c>), or a URL is unusable.</summary>
    SourceNotConfigured,

    /// <summary>Downloading the tarball failed.</summary>
    DownloadFailed,

    /// <summary>The downloaded tarball's sha256 differs from the expected one.</summary>
    TarballChecksumMismatch,

    /// <summary>An install root cannot be packed as a bundle.</summary>
    InvalidInstallRoot,

    /// <summary>Writing the staged bundle failed.</summary>
    StagingFailed,
}
