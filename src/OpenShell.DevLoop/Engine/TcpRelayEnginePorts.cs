using System.Net;
using System.Net.Sockets;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// The ports an engine publishes on an address this machine reaches directly (a <c>tcp://</c> engine's
/// <c>OpenShell:Cluster:RemoteBindAddress</c>): each is relayed from a free port on this machine's 127.0.0.1, so every
/// reader keeps dialling loopback (the kubeconfig's server, whose certificate names 127.0.0.1, the registry's
/// <c>127.0.0.1:PORT</c> references). A relay starts on first use; disposing stops them all.
/// </summary>
public sealed class TcpRelayEnginePorts : IEnginePorts
{
    private readonly string _host;
    private readonly Dictionary<int, Relay> _relays = [];
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    /// <summary>Prepares relays to ports on <paramref name="host"/>; nothing listens until a port is asked for.</summary>
    /// <param name="host">The address (or name) the engine's published ports are dialled at.</param>
    public TcpRelayEnginePorts(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        _host = host;
    }

    /// <inheritdoc />
    public bool SharesLoopback => false;

    /// <summary>The address the ports are dialled at.</summary>
    public string Host => _host;

    /// <inheritdoc />
    public Task<int> LocalPortAsync(int enginePort, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(enginePort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(enginePort, IPEndPoint.MaxPort);
        lock (_relays)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_relays.TryGetValue(enginePort, out var relay))
            {
                relay = Relay.Start(_host, enginePort, _stopping.Token);
                _relays[enginePort] = relay;
            }

            return Task.FromResult(relay.LocalPort);
        }
    }

    /// <inheritdoc />
    /// <remarks>A relay listens here for as long as it lives and dials anew for each connection: there is nothing to reopen.</remarks>
    public Task<IReadOnlyDictionary<int, int>> ReopenAsync(CancellationToken ct = default)
    {
        lock (_relays)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult<IReadOnlyDictionary<int, int>>(_relays.ToDictionary(r => r.Key, r => r.Value.LocalPort));
        }
    }

    /// <summary>Stops every relay and the connections it carries.</summary>
    public void Dispose()
    {
        List<Relay> relays;
        lock (_relays)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            relays = [.. _relays.Values];
        }

        _stopping.Cancel();
        foreach (var relay in relays)
        {
            relay.Stop();
        }

        _stopping.Dispose();
    }

    private sealed class Relay
    {
        private readonly TcpListener _listener;

        private Relay(TcpListener listener) => _listener = listener;

        public int LocalPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>
        /// Listens and starts the accept loop. The loop is not awaited by anyone: it never faults (each connection's
        /// errors end that connection) and it ends when the listener stops or <paramref name="stopping"/> is cancelled.
        /// </summary>
        public static Relay Start(string host, int port, CancellationToken stopping)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var relay = new Relay(listener);
            _ = AcceptAsync(listener, host, port, stopping);
            return relay;
        }

        public void Stop() => _listener.Stop();

        private static async Task AcceptAsync(TcpListener listener, string host, int port, CancellationToken stopping)
        {
            var connections = new List<Task>();
            while (!stopping.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    break;
                }

                connections.RemoveAll(c => c.IsCompleted);
                connections.Add(CarryAsync(client, host, port, stopping));
            }

            await Task.WhenAll(connections).ConfigureAwait(false);
        }

        // One connection: dial the engine's port and copy both ways until either side closes. A failed dial closes the
        // local connection, which its reader sees as a refused or reset connection, as it would dialling directly.
        private static async Task CarryAsync(TcpClient client, string host, int port, CancellationToken stopping)
        {
            using (client)
            using (var remote = new TcpClient())
            {
                try
                {
                    client.NoDelay = true;
                    remote.NoDelay = true;
                    await remote.ConnectAsync(host, port, stopping).ConfigureAwait(false);
                    var local = client.GetStream();
                    var far = remote.GetStream();
                    var up = CopyAsync(local, remote.Client, far, stopping);
                    var down = CopyAsync(far, client.Client, local, stopping);
                    await Task.WhenAll(up, down).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The connection ends; the relay goes on serving the others.
                }
            }
        }

        private static async Task CopyAsync(NetworkStream from, Socket toSocket, NetworkStream to, CancellationToken stopping)
        {
            try
            {
                await from.CopyToAsync(to, stopping).ConfigureAwait(false);
                // Pass the end of the stream on, so a half-closed exchange (request sent, answer awaited) completes.
                toSocket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                toSocket.Close();
            }
        }
    }
}
