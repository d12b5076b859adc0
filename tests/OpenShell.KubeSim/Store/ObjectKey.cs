using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Store;

/// <summary>Identifies a stored object: (group, version, resource, namespace, name); cluster-scoped objects use an empty namespace.</summary>
internal readonly record struct ObjectKey(string Group, string Version, string Resource, string Namespace, string Name)
{
    public static ObjectKey For(ResourceKind kind, string? ns, string name) =>
        new(kind.Group, kind.Version, kind.Plural, kind.Namespaced ? ns ?? "" : "", name);

    public bool IsOf(ResourceKind kind) => Group == kind.Group && Version == kind.Version && Resource == kind.Plural;
}
