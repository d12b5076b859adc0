namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>One payload entry of the manifest: a regular file (<c>entry_type</c> <c>file</c>, with size and sha256) or a symlink.</summary>
public sealed record BundleManifestFile
{
    /// <summary>The <c>entry_type</c> of a regular file.</summary>
    public const string FileType = "file";

    /// <summary>The <c>entry_type</c> of a symlink.</summary>
    public const string SymlinkType = "symlink";

    /// <summary>The path relative to the bundle directory, e.g. <c>usr/bin/nvidia-ctk</c>.</summary>
    public required string Path { get; init; }

    /// <summary>True for <c>entry_type</c> <c>symlink</c>.</summary>
    public required bool IsSymlink { get; init; }

    /// <summary>The file size in bytes; null for symlinks.</summary>
    public long? Size { get; init; }

    /// <summary>The hex sha256 of the content; null for symlinks.</summary>
    public string? Sha256 { get; init; }

    /// <summary>
    /// The symlink's target, written by the packer for people reading the manifest (OpenShell's fixtures carry it
    /// too); not part of the schema and never read back.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>The <c>entry_type</c> text.</summary>
    public string EntryType => IsSymlink ? SymlinkType : FileType;
}
