namespace OpenShell.DevLoop.Watching;

/// <summary>Tells whether a git operation is in progress in the repository.</summary>
internal interface IGitOperationProbe
{
    /// <summary>True, with the evidence in <paramref name="reason"/>, while git is busy.</summary>
    bool IsBusy(out string reason);
}
