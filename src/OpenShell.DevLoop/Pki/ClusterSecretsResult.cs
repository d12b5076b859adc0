namespace OpenShell.DevLoop.Pki;

/// <summary>What <see cref="ClusterSecrets.EnsureAsync"/> did.</summary>
/// <param name="Created">The secrets it created.</param>
/// <param name="Kept">The secrets that already existed and were left as they are.</param>
/// <param name="CacheDirectory">Where the client certificate, key and CA were written for local tools.</param>
public sealed record ClusterSecretsResult(IReadOnlyList<string> Created, IReadOnlyList<string> Kept, string CacheDirectory)
{
    /// <summary>The secrets whose content was replaced in place (the server certificate reissued by the same CA).</summary>
    public IReadOnlyList<string> Replaced { get; init; } = [];
}
