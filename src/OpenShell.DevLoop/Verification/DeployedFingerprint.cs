namespace OpenShell.DevLoop.Verification;

/// <summary>The fingerprint a component's deployed artifact carries, as read back from the cluster.</summary>
/// <param name="Component">The component's name.</param>
/// <param name="StateKey">The key the deploy state file records it under.</param>
/// <param name="Source">Where it was read (the image, the HelmChart, the node's fingerprint file), for messages.</param>
/// <param name="Fingerprint">The fingerprint it carries; null when it carries none or could not be read.</param>
public sealed record DeployedFingerprint(string Component, string StateKey, string Source, string? Fingerprint)
{
    /// <summary>Why the artifact cannot vouch for its fingerprint (a binary whose sha256 is not the one its file names); null when it can.</summary>
    public string? Problem { get; init; }
}
