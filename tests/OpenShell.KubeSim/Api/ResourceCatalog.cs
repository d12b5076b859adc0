namespace OpenShell.KubeSim.Api;

/// <summary>The resource types the simulator serves (the subset the dev host uses).</summary>
internal static class ResourceCatalog
{
    public static readonly ResourceKind Namespaces = new("", "v1", "namespaces", "Namespace", false, ["ns"], HasStatusSubresource: true);
    public static readonly ResourceKind Nodes = new("", "v1", "nodes", "Node", false, ["no"], HasStatusSubresource: true);
    public static readonly ResourceKind Secrets = new("", "v1", "secrets", "Secret", true, []);
    public static readonly ResourceKind ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true, ["cm"]);
    public static readonly ResourceKind Services = new("", "v1", "services", "Service", true, ["svc"], HasStatusSubresource: true);
    public static readonly ResourceKind ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true, ["sa"]);
    public static readonly ResourceKind Pods = new("", "v1", "pods", "Pod", true, ["po"], HasStatusSubresource: true);
    public static readonly ResourceKind Events = new("", "v1", "events", "Event", true, ["ev"]);
    public static readonly ResourceKind StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet", true, ["sts"], HasStatusSubresource: true, HasGeneration: true);
    public static readonly ResourceKind Jobs = new("batch", "v1", "jobs", "Job", true, [], HasStatusSubresource: true, HasGeneration: true);
    public static readonly ResourceKind Roles = new("rbac.authorization.k8s.io", "v1", "roles", "Role", true, []);
    public static readonly ResourceKind RoleBindings = new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, []);
    public static readonly ResourceKind ClusterRoles = new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, []);
    public static readonly ResourceKind ClusterRoleBindings = new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, []);
    public static readonly ResourceKind HelmCharts = new("helm.cattle.io", "v1", "helmcharts", "HelmChart", true, [], HasStatusSubresource: true, HasGeneration: true);

    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        Namespaces, Nodes, Secrets, ConfigMaps, Services, ServiceAccounts, Pods, Events,
        StatefulSets, Jobs, Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, HelmCharts,
    ];

    /// <summary>The API groups in discovery order, each with its single version.</summary>
    public static IReadOnlyList<(string Group, string Version)> Groups { get; } =
        All.Where(k => k.Group.Length > 0).Select(k => (k.Group, k.Version)).Distinct().ToList();

    public static ResourceKind? Find(string group, string version, string plural) =>
        All.FirstOrDefault(k => k.Group == group && k.Version == version && k.Plural == plural);

    /// <summary>Finds the kind of an object from its <c>apiVersion</c> and <c>kind</c> fields.</summary>
    public static ResourceKind? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind);

    public static IEnumerable<ResourceKind> InGroupVersion(string group, string version) =>
        All.Where(k => k.Group == group && k.Version == version);
}
