using k8s;

namespace OpenShell.KubeSim.Tests;

/// <summary>One simulator per test class, with short controller delays; tests isolate themselves in their own namespaces.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    private KubeSimServer? _server;

    public KubeSimServer Server => _server ?? throw new InvalidOperationException("The simulator is not started.");

    public IKubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeSimServer.StartAsync(new KubeSimOptions
        {
            RolloutDelay = TimeSpan.FromMilliseconds(50),
            PodStartDelay = TimeSpan.FromMilliseconds(20),
            HelmJobDelay = TimeSpan.FromMilliseconds(50),
        });
        Client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
