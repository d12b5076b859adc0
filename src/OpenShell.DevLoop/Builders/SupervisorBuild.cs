namespace OpenShell.DevLoop.Builders;

/// <summary>How the supervisor binary is built.</summary>
public enum SupervisorBuild
{
    /// <summary>
    /// For the inner loop: one self-contained, untrimmed single-file executable, JIT-compiled. No NativeAOT link and no
    /// trimming, so an edit reaches the node in seconds. Built under its own artifacts folder so it never invalidates
    /// the release build's outputs. Default of the fast deploy.
    /// </summary>
    Dev,

    /// <summary>NativeAOT where the host can link for the target, otherwise trimmed single-file. What the cluster image bakes in.</summary>
    Release,
}
