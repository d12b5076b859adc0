namespace OpenShell.DevLoop.Errors;

/// <summary>A remedy that each front end words for its own user.</summary>
public enum RemedyAction
{
    /// <summary>Nothing beyond the message and <see cref="DevLoopException.Remedy"/>.</summary>
    None,

    /// <summary>The cluster is missing or unhealthy: bring it up (again).</summary>
    BringClusterUp,

    /// <summary>The cluster is still coming up: wait for it, then try again.</summary>
    WaitForCluster,

    /// <summary>The cluster lacks what its image installs at start: remove it and bring it up again.</summary>
    RecreateCluster,

    /// <summary>Fix the cause, then deploy again.</summary>
    DeployAgain,
}
