using OpenShell.DevLoop.ChangeDetection;

namespace OpenShell.DevLoop.Watching;

/// <summary>
/// Passes the watcher's reports on to <paramref name="inner"/> after writing them into <paramref name="journal"/>: changed
/// paths are recorded, lost events and git activity make the next plan scan everything, and a lost watch disarms it.
/// </summary>
/// <param name="journal">Where plans learn what changed.</param>
/// <param name="inner">The deploy loop.</param>
internal sealed class JournalingSink(ChangeJournal journal, ITreeChangeSink inner) : ITreeChangeSink
{
    /// <inheritdoc />
    public void OnTreeChanged(TreeChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Rescan || change.GitActivity)
        {
            journal.Invalidate();
        }
        else
        {
            journal.Record(change.Paths);
        }

        inner.OnTreeChanged(change);
    }

    /// <inheritdoc />
    public void OnWatchLost(string reason)
    {
        journal.Disarm();
        inner.OnWatchLost(reason);
    }

    /// <inheritdoc />
    public void OnWatchRestored()
    {
        journal.Arm();
        inner.OnWatchRestored();
    }
}
