namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Where this machine dials a port that a container publishes on the engine's loopback (the cluster's API and gateway, the
/// dev registry): the same port when the engine shares this machine's loopback, the local end of a forward when it does not.
/// Every part that talks to a published port asks here, so none of them assumes where the engine runs.
/// </summary>
public interface IEnginePorts : IDisposable
{
    /// <summary>True when the engine's loopback is this machine's: its published ports are dialled as they are.</summary>
    bool SharesLoopback { get; }

    /// <summary>The port on this machine's 127.0.0.1 that reaches <paramref name="enginePort"/> on the engine's loopback.</summary>
    /// <exception cref="SshTunnelException">The forward to the engine's machine cannot be opened.</exception>
    Task<int> LocalPortAsync(int enginePort, CancellationToken ct = default);

    /// <summary>
    /// Opens again, on the same local ports, every forward handed out so far whose carrier has ended (an ssh process that
    /// died with a dropped connection or a laptop's sleep), so that kubeconfigs and URLs already given out work again.
    /// </summary>
    /// <returns>Each forwarded engine port and its local port; none when the engine shares this machine's loopback.</returns>
    /// <exception cref="SshTunnelException">The forward to the engine's machine cannot be opened.</exception>
    Task<IReadOnlyDictionary<int, int>> ReopenAsync(CancellationToken ct = default);
}
