namespace OpenShell.DevLoop.Watching;

/// <summary>What the deploy loop is doing.</summary>
internal enum DeployLoopState
{
    /// <summary>Watching; nothing deployed by the loop yet.</summary>
    Watching,

    /// <summary>Changes arrived; waiting for the quiet period.</summary>
    ChangesPending,

    /// <summary>A git operation is in progress; the loop waits until git is done.</summary>
    WaitingForGit,

    /// <summary>The deploy action runs (planning, building, deploying).</summary>
    Deploying,

    /// <summary>The last deploy succeeded and nothing changed since.</summary>
    UpToDate,

    /// <summary>The last deploy failed; the next change or a manual deploy retries.</summary>
    Failed,

    /// <summary>Paused: changes are remembered and deployed on resume.</summary>
    Paused,
}
