namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>The rule a runtime bundle broke; every <see cref="RuntimeBundleException"/> names one.</summary>
public enum BundleRule
{
    /// <summary>The file is not a tar archive (plain or compressed) that can be read.</summary>
    NotATarball,

    /// <summary>The archive is truncated or its compressed stream is corrupt.</summary>
    CorruptArchive,

    /// <summary>The archive does not hold exactly one top-level directory, or a file sits at the top level.</summary>
    TopLevelLayout,

    /// <summary>The bundle directory has no manifest.json.</summary>
    ManifestMissing,

    /// <summary>manifest.json is not valid JSON, lacks a field or declares something malformed.</summary>
    ManifestInvalid,

    /// <summary>The manifest declares another architecture than the one asked for.</summary>
    ArchitectureMismatch,

    /// <summary>A file the manifest declares is not in the archive.</summary>
    DeclaredFileMissing,

    /// <summary>A payload file's size differs from the manifest.</summary>
    SizeMismatch,

    /// <summary>A payload file's sha256 differs from the manifest.</summary>
    ChecksumMismatch,

    /// <summary>A payload entry's kind, link target or mode differs from the manifest.</summary>
    EntryMismatch,

    /// <summary>The archive holds a payload file the manifest does not declare.</summary>
    UndeclaredFile,

    /// <summary>A path the cluster image needs is missing from the payload.</summary>
    RequiredPathMissing,

    /// <summary>An entry is absolute, contains <c>..</c> or would land outside the bundle directory.</summary>
    UnsafePath,

    /// <summary>A symlink or hardlink points outside the bundle directory (or at nothing it may point to).</summary>
    LinkEscapes,

    /// <summary>An entry is a device, fifo, socket or another kind a bundle must not contain.</summary>
    UnsupportedEntryType,

    /// <summary>The same path appears twice.</summary>
    DuplicateEntry,

    /// <summary>The payload is larger than the configured limit.</summary>
    SizeLimitExceeded,

    /// <summary>The archive holds more entries than the configured limit.</summary>
    EntryCountExceeded,

    /// <summary>An architecture name is neither amd64 nor arm64 (nor an alias).</summary>
    UnknownArchitecture,

    /// <summary>No bundle source is configured, or the configured one is unusable.</summary>
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
