namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>A file that feeds at least one component, identified by its content.</summary>
/// <param name="Path">The path relative to the repository root, '/'-separated.</param>
/// <param name="BlobId">The git blob id of its content in the working tree.</param>
public sealed record InputFile(string Path, string BlobId);
