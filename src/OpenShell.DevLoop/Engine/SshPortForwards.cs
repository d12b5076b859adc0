using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// The ports an engine's containers publish on its machine's loopback (or, for a <c>tcp://</c> engine, on
/// <c>OpenShell:Cluster:RemoteBindAddress</c>), forwarded to free ports on this machine's 127.0.0.1 by one
/// <c>ssh -N -L 127.0.0.1:LOCAL:127.0.0.1:REMOTE …</c> process for all of them (batch mode, the same
/// configuration as the socket tunnel). A port is forwarded on first use; ssh counts as ready once every local port
/// accepts a connection, is started again when it has exited, and its error output is turned into the cause and the fix.
/// Disposing stops it.
/// </summary>
public sealed class SshPortForwards : IEnginePorts
{
    private const string Subject = "the SSH port forwards to the Docker engine";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Uri _host;
    private readonly EngineSsh _ssh;
    private readonly string _source;
    private readonly string _forwardTo;
    private readonly ISshProcessRunner _runner;
    private readonly Func<int, CancellationToken, Task<bool>> _listening;
    private readonly Func<int> _pickPort;
    private readonly TimeSpan _openTimeout;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Engine port → local port; kept across restarts of ssh so that what was handed out stays valid.
    private readonly Dictionary<int, int> _forwards = [];
    private ISshProcess? _process;
    private bool _disposed;

    /// <summary>Prepares the forwards to <paramref name="host"/> (<c>ssh://[USER@]HOST[:PORT]</c>); nothing starts until a port is asked for.</summary>
    /// <param name="host">The engine's <c>ssh://</c> address.</param>
    /// <param name="ssh">The ssh configuration to use.</param>
    /// <param name="source">Where the address came from, for messages (<c>DOCKER_HOST</c>).</param>
    /// <param name="forwardTo">The address the ports are published on, as the far side dials it (its loopback by default).</param>
    public SshPortForwards(Uri host, EngineSsh ssh, string source, string forwardTo = EnginePortPlan.DefaultBindAddress)
        : this(host, ssh, source, SshProcessRunner.Instance, ListeningAsync, ConnectTimeout + TimeSpan.FromSeconds(10), PickFreePort, forwardTo)
    {
    }

    internal SshPortForwards(
        Uri host, EngineSsh ssh, string source, ISshProcessRunner runner, Func<int, CancellationToken, Task<bool>> listening, TimeSpan openTimeout, Func<int> pickPort,
        string forwardTo = EnginePortPlan.DefaultBindAddress)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(ssh);
        ArgumentException.ThrowIfNullOrWhiteSpace(forwardTo);
        _host = host;
        _ssh = ssh;
        _source = source;
        _forwardTo = forwardTo;
        _runner = runner;
        _listening = listening;
        _openTimeout = openTimeout;
        _pickPort = pickPort;
    }

    /// <inheritdoc />
    public bool SharesLoopback => false;

    /// <summary>True while ssh runs with every forward asked for so far.</summary>
    public bool IsOpen => _process is { HasExited: false };

    /// <summary>The forwards asked for so far: the engine's port → the local port.</summary>
    public IReadOnlyDictionary<int, int> Forwards
    {
        get
        {
            lock (_forwards)
            {
                return new Dictionary<int, int>(_forwards);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A port not forwarded yet restarts ssh with the whole set (one process cannot take new forwards without a shared
    /// connection, which would hide its errors); the ports handed out before keep their local ends.
    /// </remarks>
    public async Task<int> LocalPortAsync(int enginePort, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(enginePort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(enginePort, IPEndPoint.MaxPort);
        if (IsOpen && Known(enginePort) is { } open)
        {
            return open;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Known(enginePort) is { } known && IsOpen)
            {
                return known;
            }

            lock (_forwards)
            {
                _forwards.TryAdd(enginePort, _pickPort());
            }

            await RestartAsync(ct).ConfigureAwait(false);
            return Known(enginePort)!.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<int, int>> ReopenAsync(CancellationToken ct = default)
    {
        if (IsOpen || Forwards.Count == 0)
        {
            return Forwards;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!IsOpen && Forwards.Count > 0)
            {
                await RestartAsync(ct).ConfigureAwait(false);
            }

            return Forwards;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops ssh.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _process?.Dispose();
        _process = null;
        _gate.Dispose();
    }

    /// <summary>The <c>ssh</c> arguments forwarding each engine port of <paramref name="forwards"/> to its local port.</summary>
    internal static IReadOnlyList<string> Arguments(
        Uri host, EngineSsh ssh, IEnumerable<KeyValuePair<int, int>> forwards, TimeSpan connectTimeout, string forwardTo = EnginePortPlan.DefaultBindAddress)
    {
        var arguments = SshTunnel.CommonArguments(ssh, connectTimeout);
        // ssh reads an IPv6 destination only in brackets.
        var destination = forwardTo.Contains(':', StringComparison.Ordinal) ? $"[{forwardTo}]" : forwardTo;
        foreach (var (enginePort, localPort) in forwards.OrderBy(f => f.Key))
        {
            // The destination is resolved on the engine's machine: the address the ports are published on there.
            arguments.AddRange(["-L", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{localPort}:{destination}:{enginePort}")]);
        }

        SshTunnel.AddDestination(arguments, host);
        return arguments;
    }

    private int? Known(int enginePort)
    {
        lock (_forwards)
        {
            return _forwards.TryGetValue(enginePort, out var local) ? local : null;
        }
    }

    private async Task RestartAsync(CancellationToken ct)
    {
        _process?.Dispose();
        _process = null;
        for (var attempt = 1; ; attempt++)
        {
            var forwards = Forwards;
            ISshProcess process;
            try
            {
                process = _runner.Start(Arguments(_host, _ssh, forwards, ConnectTimeout, _forwardTo));
            }
            catch (SshTunnelException e)
            {
                throw new SshTunnelException(e.Failure, $"{SshTunnel.Prefix(_host, _source, Subject)}: {e.Message}", e.Remedy, e);
            }

            try
            {
                await WaitUntilListeningAsync(process, forwards.Values, ct).ConfigureAwait(false);
                _process = process;
                return;
            }
            catch (SshTunnelException) when (attempt == 1 && LocalPortTaken(process.StandardError))
            {
                // A local port was taken between picking and binding it: pick new ones, once.
                process.Dispose();
                lock (_forwards)
                {
                    foreach (var enginePort in _forwards.Keys.ToList())
                    {
                        _forwards[enginePort] = _pickPort();
                    }
                }
            }
            catch
            {
                process.Dispose();
                throw;
            }
        }
    }

    private async Task WaitUntilListeningAsync(ISshProcess process, IEnumerable<int> localPorts, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var waiting = localPorts.ToList();
        while (true)
        {
            if (process.HasExited)
            {
                throw LocalPortTaken(process.StandardError)
                    ? new SshTunnelException(SshFailure.Other,
                        $"{SshTunnel.Prefix(_host, _source, Subject)}: a local port is taken ({process.StandardError.Trim()})",
                        "another program bound the port between its choice and ssh's start; run the command again")
                    : SshTunnel.Map(process.StandardError, _host, _ssh, _source, "ssh exited", Subject);
            }

            var still = new List<int>();
            foreach (var port in waiting)
            {
                if (!await _listening(port, ct).ConfigureAwait(false))
                {
                    still.Add(port);
                }
            }

            waiting = still;
            if (waiting.Count == 0)
            {
                return;
            }

            if (clock.Elapsed > _openTimeout)
            {
                throw SshTunnel.Map(process.StandardError, _host, _ssh, _source,
                    $"ssh did not listen on 127.0.0.1:{string.Join(", ", waiting)} within {_openTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s", Subject);
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    private static bool LocalPortTaken(string stderr) =>
        stderr.Contains("Address already in use", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("cannot listen to port", StringComparison.OrdinalIgnoreCase);

    /// <summary>A port nothing on this machine's 127.0.0.1 listens on right now (the system picks it).</summary>
    internal static int PickFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when something accepts a TCP connection on 127.0.0.1:<paramref name="port"/>.</summary>
    internal static async Task<bool> ListeningAsync(int port, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
