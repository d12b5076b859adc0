namespace OpenShell.DevLoop.Deploy;

/// <summary>One file of a <see cref="NodeTree"/>.</summary>
/// <param name="Path">The path inside the tree, with <c>/</c> separators.</param>
/// <param name="Sha256">The file's sha256 (64 lowercase hex digits): its name in the node's file store.</param>
/// <param name="Source">The file on this machine.</param>
public sealed record NodeTreeFile(string Path, string Sha256, string Source);
