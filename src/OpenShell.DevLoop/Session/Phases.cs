namespace OpenShell.DevLoop.Session;

/// <summary>Where the runtime bundle stands.</summary>
internal enum BundlePhase
{
    /// <summary>Being resolved (downloaded, packed) and verified.</summary>
    Verifying,

    /// <summary>Verified.</summary>
    Ready,

    /// <summary>Missing or invalid.</summary>
    Failed,
}

/// <summary>Where the cluster stands.</summary>
internal enum ClusterPhase
{
    /// <summary>Waiting for something, named in the event's detail.</summary>
    Waiting,

    /// <summary>A healthy container is being reused, or an exited one started again.</summary>
    Starting,

    /// <summary>A container is being created.</summary>
    Bootstrapping,

    /// <summary>The container and its volume are being removed.</summary>
    Recreating,

    /// <summary>Up; deploys can run.</summary>
    Running,

    /// <summary>It could not be brought up.</summary>
    Failed,
}

/// <summary>A component's phase during a deploy.</summary>
internal enum ComponentPhase
{
    /// <summary>Waiting for something, named in the event's detail.</summary>
    Waiting,

    /// <summary>Publishing and building.</summary>
    Building,

    /// <summary>Pushing its image.</summary>
    Pushing,

    /// <summary>Waiting for its rollout.</summary>
    RollingOut,

    /// <summary>Copying a binary into the node.</summary>
    Copying,

    /// <summary>Upgrading a chart.</summary>
    Upgrading,

    /// <summary>A throwaway sandbox proves the new binary.</summary>
    Verifying,
}
