namespace OpenShell.DevLoop.Publishing;

/// <summary>One platform's manifest in a manifest list.</summary>
/// <param name="Manifest">The platform's manifest, as the registry stores it.</param>
/// <param name="Architecture">Its architecture (<c>amd64</c>, <c>arm64</c>).</param>
/// <param name="Os">Its operating system.</param>
public sealed record ManifestListEntry(RegistryManifest Manifest, string Architecture, string Os = "linux");
