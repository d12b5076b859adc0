namespace OpenShell.DevLoop.Components;

/// <summary>How a component reaches the cluster; the planner's only built-in knowledge of components.</summary>
public enum ComponentKind
{
    /// <summary>A container image pushed to the registry (the gateway). Its rebuild implies a Helm upgrade.</summary>
    Image,

    /// <summary>A binary copied into the cluster node (the supervisor). It survives a new cluster container.</summary>
    Binary,

    /// <summary>A Helm chart applied with <c>helm upgrade</c>.</summary>
    Helm,
}
