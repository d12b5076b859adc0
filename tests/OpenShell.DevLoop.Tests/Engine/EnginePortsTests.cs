using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>Which addresses are dialled through the engine's port mapping and which are reached as they are.</summary>
public sealed class EnginePortsTests
{
    public static TheoryData<string, string> Addresses => new()
    {
        // as the engine names it, as this machine dials it through a forward 5000 → 45000
        { "127.0.0.1:5000", "127.0.0.1:45000" },
        { "localhost:5000", "127.0.0.1:45000" },
        { "ghcr.io", "ghcr.io" },
        { "registry.example:5000", "registry.example:5000" },
        { "10.0.0.7:5000", "10.0.0.7:5000" },
        { "127.0.0.1", "127.0.0.1" },
        { "127.0.0.1:port", "127.0.0.1:port" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public async Task Only_loopback_addresses_of_the_engine_go_through_its_forwards(string address, string dialled)
    {
        using var ports = new Forwarding(new Dictionary<int, int> { [5000] = 45000 });

        Assert.Equal(dialled, await ports.DialAsync(address));
    }

    [Fact]
    public async Task An_engine_on_this_machine_dials_every_address_as_it_is()
    {
        Assert.Equal("localhost:5000", await LoopbackEnginePorts.Instance.DialAsync("localhost:5000"));
        Assert.Equal("127.0.0.1:5000", await LoopbackEnginePorts.Instance.DialAsync("127.0.0.1:5000"));
    }

    private sealed class Forwarding(Dictionary<int, int> forwards) : IEnginePorts
    {
        public bool SharesLoopback => false;

        public Task<int> LocalPortAsync(int enginePort, CancellationToken ct = default) => Task.FromResult(forwards[enginePort]);

        public Task<IReadOnlyDictionary<int, int>> ReopenAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyDictionary<int, int>>(forwards);

        public void Dispose()
        {
        }
    }
}
