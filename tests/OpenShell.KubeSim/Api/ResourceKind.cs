namespace OpenShell.KubeSim.Api;

/// <summary>One served resource type: where it lives in the API and which per-kind rules apply.</summary>
internal sealed record ResourceKind(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    string[] ShortNames,
    bool HasStatusSubresource = false,
    bool HasGeneration = false)
{
    /// <summary>The <c>apiVersion</c> of the objects, e.g. <c>apps/v1</c> or <c>v1</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The name used in error messages, e.g. <c>statefulsets.apps</c>.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The singular, lower-case name.</summary>
    public string Singular => Kind.ToLowerInvariant();

    public override string ToString() => QualifiedPlural;
}
