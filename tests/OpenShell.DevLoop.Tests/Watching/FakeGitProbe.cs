using OpenShell.DevLoop.Watching;

namespace OpenShell.DevLoop.Tests.Watching;

internal sealed class FakeGitProbe : IGitOperationProbe
{
    public volatile bool Busy;

    public bool IsBusy(out string reason)
    {
        reason = Busy ? "git holds .git/index.lock" : string.Empty;
        return Busy;
    }
}
