using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Engine;

namespace OpenShell.Testing;

/// <summary>
/// A foreground <c>sshd</c> on a loopback port with its own host key, an authorized client key and configuration files
/// for the client (good, wrong key, unknown host); it stands in for a remote machine whose engine is this machine's.
/// Stopped on dispose.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;

    private SshServer(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    /// <summary>The loopback port sshd listens on.</summary>
    public int Port { get; }

    /// <summary>An ssh config with the authorized key and the server's key in known_hosts.</summary>
    public string ClientConfig => Path.Combine(_root, "client_config");

    /// <summary>The server's key is known, but the key offered is not authorized.</summary>
    public string WrongKeyConfig => Path.Combine(_root, "wrong_key_config");

    /// <summary>The authorized key, but no known_hosts entry for the server.</summary>
    public string UnknownHostConfig => Path.Combine(_root, "unknown_host_config");

    /// <summary>The engine <c>ssh://root@127.0.0.1:PORT</c> reached with <paramref name="sshConfig"/>.</summary>
    public EngineConnection Engine(string sshConfig, string? remoteSocket = null) =>
        EngineConnection.FromSettings(
            new EngineSettings { Host = $"ssh://root@127.0.0.1:{Port}", SshConfig = sshConfig, RemoteSocket = remoteSocket },
            _ => null, _root);

    /// <summary>Makes the keys and configuration files under <paramref name="root"/> and starts sshd; returns once it listens.</summary>
    public static async Task<SshServer> StartAsync(string root)
    {
        foreach (var key in new[] { "host_key", "client_key", "wrong_key" })
        {
            (await TestProcess.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", Path.Combine(root, key)])).EnsureSuccess("ssh-keygen");
        }

        File.Copy(Path.Combine(root, "client_key.pub"), Path.Combine(root, "authorized_keys"));
        var port = LoopbackPorts.Free();
        var hostKey = File.ReadAllText(Path.Combine(root, "host_key.pub")).Split(' ');
        File.WriteAllText(Path.Combine(root, "known_hosts"), $"[127.0.0.1]:{port} {hostKey[0]} {hostKey[1]}\n");
        File.WriteAllText(Path.Combine(root, "empty_known_hosts"), "");
        File.WriteAllText(Path.Combine(root, "sshd_config"), $"""
            ListenAddress 127.0.0.1
            Port {port}
            HostKey {Path.Combine(root, "host_key")}
            AuthorizedKeysFile {Path.Combine(root, "authorized_keys")}
            PidFile none
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            AllowStreamLocalForwarding yes

            """);
        WriteClientConfig(root, "client_config", "client_key", "known_hosts");
        WriteClientConfig(root, "wrong_key_config", "wrong_key", "known_hosts");
        WriteClientConfig(root, "unknown_host_config", "client_key", "empty_known_hosts");

        // sshd refuses to start as root without its privilege separation directory.
        Directory.CreateDirectory("/run/sshd");
        var info = new ProcessStartInfo(RequiresSshdAttribute.Daemon) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-D", "-e", "-f", Path.Combine(root, "sshd_config") })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("sshd did not start");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new SshServer(process, root, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await server.DisposeAsync();
        lock (log)
        {
            throw new Xunit.Sdk.XunitException($"sshd did not listen on 127.0.0.1:{port}:\n{log}");
        }
    }

    private static void WriteClientConfig(string root, string name, string key, string knownHosts) =>
        File.WriteAllText(Path.Combine(root, name), $"""
            Host 127.0.0.1
              IdentityFile {Path.Combine(root, key)}
              IdentitiesOnly yes
              IdentityAgent none
              UserKnownHostsFile {Path.Combine(root, knownHosts)}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes

            """);

    /// <summary>Stops sshd.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
