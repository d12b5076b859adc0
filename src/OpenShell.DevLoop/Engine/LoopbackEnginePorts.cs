namespace OpenShell.DevLoop.Engine;

/// <summary>The ports of an engine on this machine (a local socket, or <c>tcp://</c> to this machine): dialled as published.</summary>
public sealed class LoopbackEnginePorts : IEnginePorts
{
    /// <summary>The one instance; it holds nothing.</summary>
    public static readonly LoopbackEnginePorts Instance = new();

    private LoopbackEnginePorts()
    {
    }

    /// <inheritdoc />
    public bool SharesLoopback => true;

    /// <inheritdoc />
    public Task<int> LocalPortAsync(int enginePort, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(enginePort);
        return Task.FromResult(enginePort);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<int, int>> ReopenAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<int, int>>(new Dictionary<int, int>());

    /// <summary>Nothing to release.</summary>
    public void Dispose()
    {
    }
}
