namespace OpenShell.DevLoop.Watching;

/// <summary>Receives what the repository watcher observed.</summary>
internal interface ITreeChangeSink
{
    /// <summary>Files that count changed, or git ran.</summary>
    void OnTreeChanged(TreeChange change);

    /// <summary>The watcher lost events or stopped; <paramref name="reason"/> says why and what to do.</summary>
    void OnWatchLost(string reason);

    /// <summary>The watcher is armed again after a loss.</summary>
    void OnWatchRestored();
}
