namespace OpenShell.DevLoop.Watching;

/// <summary>Why a deploy started.</summary>
internal enum DeployTriggerKind
{
    /// <summary>Files changed.</summary>
    Changes,

    /// <summary>A git operation (checkout, rebase, pull) finished.</summary>
    GitOperation,

    /// <summary>File events were lost: anything may have changed.</summary>
    Rescan,

    /// <summary>Someone asked for a deploy now.</summary>
    Manual,
}
