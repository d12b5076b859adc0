namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>One payload entry of the manifest: a regular file (size and sha256) or a symlink (target).</summary>
public sealed record BundleManifestFile
{
    /// <summary>The path relative to the bundle directory, e.g. <c>usr/bin/nvidia-ctk</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The file size in bytes; null for symlinks.</summary>
    public long? Size { get; init; }

    /// <summary>The lower-case hex sha256 of the content; null for symlinks.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Optional permission bits, as octal text (<c>0755</c>); checked against the archive when given.</summary>
    public string? Mode { get; init; }

    /// <summary>The symlink target (relative to the link's folder); null for regular files.</summary>
    public string? Target { get; init; }

    /// <summary>True when this entry declares a symlink.</summary>
    public bool IsSymlink => Target is not null;
}
