namespace OpenShell.DevLoop.Planning;

/// <summary>Why a component is rebuilt.</summary>
public enum RebuildReasonKind
{
    /// <summary>Its fingerprint differs from the recorded one.</summary>
    InputsChanged,

    /// <summary>Nothing usable is recorded for it (no state, corrupt state, or a failed earlier deploy).</summary>
    NotRecorded,

    /// <summary>The state was recorded for another cluster.</summary>
    OtherCluster,

    /// <summary>The cluster container was recreated since the state was recorded.</summary>
    NewClusterContainer,

    /// <summary><c>DEPLOY_FAST_MODE=full</c>.</summary>
    FullMode,

    /// <summary><c>FORCE_HELM_UPGRADE=1</c>.</summary>
    ForcedHelm,

    /// <summary>Named on the command line.</summary>
    ExplicitTarget,

    /// <summary>A rebuilt image must be rolled out by a Helm upgrade.</summary>
    ImpliedByImage,

    /// <summary>The registry no longer holds the image the state records (it lost its volume): it is pushed again.</summary>
    MissingFromRegistry,
}
