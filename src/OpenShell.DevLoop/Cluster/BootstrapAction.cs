namespace OpenShell.DevLoop.Cluster;

/// <summary>What <c>cluster up</c> does with the cluster container.</summary>
public enum BootstrapAction
{
    /// <summary>No container: bootstrap a new cluster.</summary>
    Create,

    /// <summary>A container that is not healthy: remove it and its volume, then bootstrap.</summary>
    Recreate,

    /// <summary>A healthy container: keep it.</summary>
    Reuse,

    /// <summary>
    /// A container that exited (an engine crash or restart, a reboot): start it again with its volume and wait for its
    /// health as a bootstrap does; recreate it only when it does not come back.
    /// </summary>
    Start,
}
