namespace OpenShell.DevLoop.Watching;

/// <summary>A snapshot of the deploy loop, published on every change of state.</summary>
/// <param name="State">What the loop is doing.</param>
/// <param name="Reason">Why, for Failed and WaitingForGit; the last outcome's message for UpToDate.</param>
/// <param name="PendingPaths">Changed paths waiting for the next deploy.</param>
/// <param name="FollowUpQueued">True while a deploy runs and changes wait for the follow-up deploy.</param>
/// <param name="WatchProblem">Set while the file watcher is lost or has lost events; null when healthy.</param>
/// <param name="LastTrigger">The trigger of the running or last deploy.</param>
internal sealed record DeployLoopStatus(
    DeployLoopState State,
    string? Reason,
    int PendingPaths,
    bool FollowUpQueued,
    string? WatchProblem,
    DeployTrigger? LastTrigger);
