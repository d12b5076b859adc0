using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Engine;

public sealed class DockerEngineProbeTests
{
    [RequiresDocker]
    public async Task The_drop_stream_stays_open_while_the_engine_runs_and_ends_only_when_asked()
    {
        using var docker = DockerEngine.CreateClient();
        var probe = new DockerEngineProbe(docker, DockerEngine.Connection(), LoopbackEnginePorts.Instance);
        using var stop = new CancellationTokenSource();

        // A stream that ended by itself here would count as an engine restart every second.
        var waiting = probe.WaitForDropAsync(stop.Token);
        var first = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.NotSame(waiting, first);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
