using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>An ssh process the test ends or lets fail with the error output it chooses.</summary>
internal sealed class FakeProcess : ISshProcess
{
    public IReadOnlyList<string> Arguments { get; set; } = [];

    public bool Exited { get; set; }

    public string Stderr { get; set; } = "";

    public bool Disposed { get; private set; }

    public bool HasExited => Exited || Disposed;

    public string StandardError => Stderr;

    public void Stop() => Exited = true;

    public void Dispose()
    {
        Stop();
        Disposed = true;
    }
}
