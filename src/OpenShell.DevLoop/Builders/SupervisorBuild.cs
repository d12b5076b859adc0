namespace OpenShell.DevLoop.Builders;

/// <summary>How the supervisor binary is built.</summary>
public enum SupervisorBuild
{
    /// <summary>
    /// For the inner loop: a self-contained, untrimmed folder (apphost, the app's dlls, the runtime's files), JIT-compiled.
    /// No NativeAOT link, no trimming and no single-file bundling, so an edit changes only the app's dlls and reaches the
    /// node in seconds (as a content-addressed tree, see <c>Deploy/NodeLayout</c>). Built under its own artifacts folder so it never invalidates
    /// the release build's outputs. Default of the fast deploy.
    /// </summary>
    Dev,

    /// <summary>NativeAOT where the host can link for the target, otherwise trimmed single-file. What the cluster image bakes in.</summary>
    Release,
}
