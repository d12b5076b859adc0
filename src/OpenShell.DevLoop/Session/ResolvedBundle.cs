using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Session;

/// <summary>A verified runtime bundle tarball and where it came from.</summary>
/// <param name="Tarball">The local tarball.</param>
/// <param name="Origin">The setting or variable that named it, or the synthetic bundle.</param>
/// <param name="Verified">What verification found.</param>
internal sealed record ResolvedBundle(string Tarball, string Origin, VerifiedBundle Verified);
