namespace OpenShell.KubeSim.Api;

/// <summary>A parsed resource path: <c>/api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]</c> or the same under <c>/apis/GROUP/VERSION</c>.</summary>
internal sealed record RequestTarget(ResourceKind Kind, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>Parses <paramref name="segments"/> after the group-version prefix; null when no served resource matches.</summary>
    public static RequestTarget? Parse(string group, string version, string[] segments)
    {
        if (segments.Length == 0)
        {
            return null;
        }

        // "namespaces/NS/RESOURCE/..." is a namespaced path when RESOURCE is a namespaced resource of this group-version;
        // otherwise "namespaces/NAME/SUB" is a subresource of a namespace.
        if (segments[0] == "namespaces" && segments.Length >= 3 && ResourceCatalog.Find(group, version, segments[2]) is { Namespaced: true } namespacedKind)
        {
            return segments.Length > 5 ? null : new RequestTarget(namespacedKind, segments[1], At(segments, 3), At(segments, 4));
        }

        var kind = ResourceCatalog.Find(group, version, segments[0]);
        return kind is null || segments.Length > 3 ? null : new RequestTarget(kind, null, At(segments, 1), At(segments, 2));
    }

    private static string? At(string[] segments, int index) => index < segments.Length ? segments[index] : null;
}
