using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// The remote engine's socket forwarded to a local one by the system <c>ssh</c> client (<c>ssh -N -L local:remote</c>,
/// batch mode, no connection sharing), as Docker's own client reaches <c>ssh://</c> engines through <c>ssh</c>. It opens
/// on first use, counts as open once the engine answers <c>/_ping</c> through it, opens again when <c>ssh</c> has exited,
/// and turns <c>ssh</c>'s error output into the cause and the fix. Disposing stops <c>ssh</c> and removes the local socket.
/// </summary>
public sealed class SshTunnel : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Uri _host;
    private readonly EngineSsh _ssh;
    private readonly string _source;
    private readonly ISshProcessRunner _runner;
    private readonly Func<string, CancellationToken, Task<bool>> _ping;
    private readonly TimeSpan _openTimeout;
    private readonly string _folder;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ISshProcess? _process;
    private bool _disposed;

    /// <summary>Prepares a tunnel to <paramref name="host"/> (<c>ssh://[USER@]HOST[:PORT]</c>); nothing starts until <see cref="OpenAsync"/>.</summary>
    /// <param name="host">The engine's <c>ssh://</c> address.</param>
    /// <param name="ssh">The remote socket and the ssh configuration to use.</param>
    /// <param name="source">Where the address came from, for messages (<c>DOCKER_HOST</c>).</param>
    public SshTunnel(Uri host, EngineSsh ssh, string source)
        : this(host, ssh, source, SshProcessRunner.Instance, PingAsync, ConnectTimeout + TimeSpan.FromSeconds(10))
    {
    }

    internal SshTunnel(Uri host, EngineSsh ssh, string source, ISshProcessRunner runner, Func<string, CancellationToken, Task<bool>> ping, TimeSpan openTimeout)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(ssh);
        _host = host;
        _ssh = ssh;
        _source = source;
        _runner = runner;
        _ping = ping;
        _openTimeout = openTimeout;

        // A folder only this user can enter (created 0700), with a short path: socket paths are limited to 108 bytes.
        _folder = Directory.CreateTempSubdirectory("openshell-ssh-").FullName;
        LocalSocket = Path.Combine(_folder, "docker.sock");
    }

    /// <summary>The local end of the tunnel, a Unix socket that only this user can reach.</summary>
    public string LocalSocket { get; }

    /// <summary>The local end as an engine address (<c>unix://…</c>).</summary>
    public Uri LocalEndpoint => new("unix://" + LocalSocket);

    /// <summary>True while <c>ssh</c> runs and the tunnel was seen to answer.</summary>
    public bool IsOpen => _process is { HasExited: false };

    /// <summary>Opens the tunnel unless it is open: starts <c>ssh</c> and waits until the engine answers <c>/_ping</c> through it.</summary>
    /// <exception cref="SshTunnelException">ssh failed (the host key, the login, the host or the remote socket), or the engine did not answer in time.</exception>
    public async Task OpenAsync(CancellationToken ct = default)
    {
        if (IsOpen)
        {
            return;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsOpen)
            {
                return;
            }

            _process?.Dispose();
            _process = null;
            ISshProcess process;
            try
            {
                process = _runner.Start(Arguments(_host, _ssh, LocalSocket, ConnectTimeout));
            }
            catch (SshTunnelException e)
            {
                throw new SshTunnelException(e.Failure, $"{Prefix(_host, _source)}: {e.Message}", e.Remedy, e);
            }

            try
            {
                await WaitUntilAnsweringAsync(process, ct).ConfigureAwait(false);
            }
            catch
            {
                process.Dispose();
                throw;
            }

            _process = process;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops <c>ssh</c> and removes the local socket's folder.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _process?.Dispose();
        _process = null;
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // ssh may still be removing its socket; the temp folder is cleaned eventually.
        }

        _gate.Dispose();
    }

    /// <summary>The <c>ssh</c> arguments for forwarding <paramref name="ssh"/>'s remote socket of <paramref name="host"/> to <paramref name="localSocket"/>.</summary>
    internal static IReadOnlyList<string> Arguments(Uri host, EngineSsh ssh, string localSocket, TimeSpan connectTimeout)
    {
        var arguments = CommonArguments(ssh, connectTimeout);
        arguments.AddRange(["-o", "StreamLocalBindUnlink=yes", "-L", $"{localSocket}:{ssh.RemoteSocket}"]);
        AddDestination(arguments, host);
        return arguments;
    }

    /// <summary>
    /// The options every <c>ssh</c> process to an engine's machine starts with: the configuration file, no command, batch
    /// mode, failing forwards end the process, no shared connection, keep-alives.
    /// </summary>
    internal static List<string> CommonArguments(EngineSsh ssh, TimeSpan connectTimeout)
    {
        var arguments = new List<string>();
        if (ssh.ConfigFile is { } config)
        {
            arguments.AddRange(["-F", config]);
        }

        arguments.AddRange(
        [
            "-N", "-T",
            // Never prompt (there is no terminal to answer on), and fail rather than run without the forward.
            "-o", "BatchMode=yes",
            "-o", "ExitOnForwardFailure=yes",
            "-o", "ConnectTimeout=" + ((int)Math.Ceiling(connectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            // A shared master connection would outlive this process and hide its errors from it.
            "-o", "ControlMaster=no",
            "-o", "ControlPath=none",
            "-o", "ServerAliveInterval=15",
            "-o", "ServerAliveCountMax=3",
        ]);
        return arguments;
    }

    /// <summary>Appends the port, the user and the host of <paramref name="host"/>, the host last after <c>--</c>.</summary>
    internal static void AddDestination(List<string> arguments, Uri host)
    {
        if (host.Port > 0)
        {
            arguments.AddRange(["-p", host.Port.ToString(CultureInfo.InvariantCulture)]);
        }

        if (User(host) is { } user)
        {
            arguments.AddRange(["-l", user]);
        }

        // "--" so that a host name can never be read as an option.
        arguments.AddRange(["--", host.DnsSafeHost]);
    }

    /// <summary>Turns <c>ssh</c>'s error output into the failure, its cause and the fix.</summary>
    internal static SshTunnelException Map(string stderr, Uri host, EngineSsh ssh, string source, string? ending, string subject = EngineSubject)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var target = Target(host);
        var port = host.Port > 0 ? $"-p {host.Port.ToString(CultureInfo.InvariantCulture)} " : "";
        var prefix = Prefix(host, source, subject);

        bool Says(params string[] texts) => texts.Any(t => stderr.Contains(t, StringComparison.OrdinalIgnoreCase));
        string Line(params string[] texts) =>
            lines.LastOrDefault(l => texts.Any(t => l.Contains(t, StringComparison.OrdinalIgnoreCase))) ?? lines.LastOrDefault() ?? "";

        if (Says("REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key for", "host key has changed"))
        {
            return new SshTunnelException(SshFailure.HostKeyChanged,
                $"{prefix}: the host key of {host.DnsSafeHost} is not the one in known_hosts ({Line("Host key verification failed", "Offending")})",
                $"if {host.DnsSafeHost} was reinstalled, check its new key's fingerprint, remove the old one with `ssh-keygen -R {KnownHostsName(host)}` and connect once with `ssh {port}{target}`");
        }

        if (Says("Host key verification failed", "host key is known for", "Host key verification"))
        {
            return new SshTunnelException(SshFailure.HostKeyUnknown,
                $"{prefix}: the host key of {host.DnsSafeHost} is unknown ({Line("host key is known", "Host key verification failed")})",
                $"connect once with `ssh {port}{target}` and accept its key after checking the fingerprint (the tunnel runs with BatchMode=yes and never asks)");
        }

        if (Says("Permission denied", "Too many authentication failures"))
        {
            var user = User(host) ?? "your user";
            return new SshTunnelException(SshFailure.AuthenticationRefused,
                $"{prefix}: {host.DnsSafeHost} refused the login as {user} ({Line("Permission denied", "Too many authentication failures")})",
                $"add your public key to {user}'s ~/.ssh/authorized_keys on {host.DnsSafeHost} (ssh-copy-id {port}{target}), or load the right key into ssh-agent or name it with IdentityFile in your ssh config (OpenShell:Engine:SshConfig for another file); passwords cannot be typed (BatchMode=yes)");
        }

        if (Says("Could not resolve hostname", "Connection refused", "timed out", "No route to host", "Network is unreachable", "Connection closed by", "Connection reset by"))
        {
            return new SshTunnelException(SshFailure.HostUnreachable,
                $"{prefix}: {host.DnsSafeHost}{(host.Port > 0 ? ":" + host.Port.ToString(CultureInfo.InvariantCulture) : "")} cannot be reached ({Line("Could not resolve hostname", "Connection refused", "timed out", "No route to host", "Network is unreachable", "Connection closed by", "Connection reset by")})",
                $"check the host name and port in {host} and that sshd runs there and is reachable from this machine (`ssh {port}{target} true`)");
        }

        if (Says("open failed", "administratively prohibited"))
        {
            return new SshTunnelException(SshFailure.RemoteSocketMissing,
                $"{prefix}: SSH to {target} works, but the Docker socket {ssh.RemoteSocket} cannot be opened there ({Line("open failed", "administratively prohibited")})",
                $"check that the engine runs there and that the user may use it (`ssh {port}{target} docker version`; the docker group), and set OpenShell:Engine:RemoteSocket when its socket lives elsewhere (rootless Docker: /run/user/UID/docker.sock); sshd must allow AllowStreamLocalForwarding");
        }

        var said = lines.Length == 0 ? "" : $" (ssh: {lines[^1]})";
        return new SshTunnelException(SshFailure.Other,
            $"{prefix}: {ending ?? "ssh exited"}{said}",
            $"run `ssh {port}{target} docker version` to see what fails, then fix the SSH access or the remote engine");
    }

    internal const string EngineSubject = "the SSH tunnel to the Docker engine";

    internal static string Prefix(Uri host, string source, string subject = EngineSubject) => $"{subject} at {host} ({source}) failed";

    private static string? User(Uri host) =>
        host.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(host.UserInfo);

    private static string Target(Uri host) => User(host) is { } user ? $"{user}@{host.DnsSafeHost}" : host.DnsSafeHost;

    private static string KnownHostsName(Uri host) =>
        host.Port > 0 && host.Port != 22 ? $"[{host.DnsSafeHost}]:{host.Port.ToString(CultureInfo.InvariantCulture)}" : host.DnsSafeHost;

    private async Task WaitUntilAnsweringAsync(ISshProcess process, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw Map(process.StandardError, _host, _ssh, _source, "ssh exited");
            }

            if (await _ping(LocalSocket, ct).ConfigureAwait(false))
            {
                return;
            }

            // ssh keeps running when the remote socket cannot be opened: only its output tells.
            var stderr = process.StandardError;
            if (stderr.Contains("open failed", StringComparison.OrdinalIgnoreCase) || stderr.Contains("administratively prohibited", StringComparison.OrdinalIgnoreCase))
            {
                throw Map(stderr, _host, _ssh, _source, null);
            }

            if (clock.Elapsed > _openTimeout)
            {
                throw Map(stderr, _host, _ssh, _source,
                    $"the engine did not answer /_ping through the tunnel within {_openTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s");
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True when a Docker engine answers <c>GET /_ping</c> with 200 on <paramref name="socket"/>.</summary>
    internal static async Task<bool> PingAsync(string socket, CancellationToken ct)
    {
        if (!File.Exists(socket))
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), timeout.Token).ConfigureAwait(false);
            await client.SendAsync("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = 0;
            while (read < 12)
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            var status = Encoding.ASCII.GetString(buffer, 0, read);
            return status.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || status.StartsWith("HTTP/1.0 200", StringComparison.Ordinal);
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
