namespace OpenShell.DevLoop.Tests.Watching;

/// <summary>A real file system watcher whose error event a test can raise, as inotify would on overflow.</summary>
internal sealed class FaultInjectingWatcher(string path) : FileSystemWatcher(path)
{
    public bool IsDisposed { get; private set; }

    public void Fail(Exception error) => OnError(new ErrorEventArgs(error));

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}
