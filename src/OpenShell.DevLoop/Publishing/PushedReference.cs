namespace OpenShell.DevLoop.Publishing;

/// <summary>A reference a publish stored in the registry, with the digest it points at.</summary>
/// <param name="Reference">The reference: tagged (<c>…/openshell-cluster:latest</c>) or by digest (<c>…/openshell-gateway@sha256:…</c>).</param>
/// <param name="Digest">The manifest (or manifest list) digest.</param>
/// <param name="Kind">What it is: <c>image</c> (one architecture) or <c>manifest list</c>.</param>
public sealed record PushedReference(string Reference, string Digest, string Kind);
