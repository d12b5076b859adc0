using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>
/// An <c>ssh://</c> engine through a real <c>sshd</c> of the test's own (its host key, its authorized key, a loopback
/// port), which forwards this machine's engine socket as a remote host would.
/// </summary>
public sealed class SshEngineTests
{
    [RequiresSshd]
    public async Task The_machines_engine_answers_through_an_ssh_tunnel_and_each_ssh_failure_names_its_cause()
    {
        using var folder = new TempDirectory("ssh-engine");
        await using var sshd = await SshServer.StartAsync(folder.Path);

        using var local = DockerEngine.CreateClient();
        var localInfo = await local.System.GetSystemInfoAsync();
        // An image no other test removes: tests running beside this one add and delete their own.
        var stableImage = (await local.Images.InspectImageAsync(OfflineImages.Debian)).ID;

        var engine = sshd.Engine(sshd.ClientConfig);
        string socketFolder;
        using (var client = engine.CreateClient())
        {
            var version = await engine.CheckAsync(client);
            Assert.False(string.IsNullOrEmpty(version.Version));

            // The same engine as the local socket's, reached through the tunnel.
            var info = await client.System.GetSystemInfoAsync();
            Assert.Equal(localInfo.ID, info.ID);
            Assert.Equal((await EnginePlatform.ReadAsync(local)).Platform, (await EnginePlatform.ReadAsync(client)).Platform);
            var images = await client.Images.ListImagesAsync(new global::Docker.DotNet.Models.ImagesListParameters());
            Assert.NotEmpty(images);
            Assert.Contains(stableImage, images.Select(i => i.ID));

            var endpoint = client.Configuration.EndpointBaseUri;
            Assert.Equal("unix", endpoint.Scheme);
            Assert.True(File.Exists(endpoint.LocalPath), "the tunnel's local socket exists while the client lives");
            socketFolder = Path.GetDirectoryName(endpoint.LocalPath)!;
        }

        // Disposing the client stopped ssh and removed its socket.
        Assert.False(Directory.Exists(socketFolder));

        var wrongKey = await FailureAsync(sshd.Engine(sshd.WrongKeyConfig));
        Assert.Equal(SshFailure.AuthenticationRefused, wrongKey.Failure);
        Assert.Contains("refused the login as root", wrongKey.Message, StringComparison.Ordinal);
        Assert.Contains("authorized_keys", wrongKey.Remedy, StringComparison.Ordinal);

        var unknownHost = await FailureAsync(sshd.Engine(sshd.UnknownHostConfig));
        Assert.Equal(SshFailure.HostKeyUnknown, unknownHost.Failure);
        Assert.Contains($"ssh -p {sshd.Port} root@127.0.0.1", unknownHost.Remedy, StringComparison.Ordinal);

        var noSocket = await FailureAsync(sshd.Engine(sshd.ClientConfig, "/var/run/osrem-no-such-docker.sock"));
        Assert.Equal(SshFailure.RemoteSocketMissing, noSocket.Failure);
        Assert.Contains("/var/run/osrem-no-such-docker.sock cannot be opened", noSocket.Message, StringComparison.Ordinal);

        var noServer = await FailureAsync(EngineConnection.FromSettings(
            new EngineSettings { Host = $"ssh://root@127.0.0.1:{FreePort()}", SshConfig = sshd.ClientConfig }, _ => null, folder.Path));
        Assert.Equal(SshFailure.HostUnreachable, noServer.Failure);
        Assert.Contains("Connection refused", noServer.Message, StringComparison.Ordinal);
    }

    private static async Task<SshTunnelException> FailureAsync(EngineConnection engine)
    {
        using var client = engine.CreateClient();
        return await Assert.ThrowsAsync<SshTunnelException>(() => engine.CheckAsync(client));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A foreground <c>sshd</c> on a loopback port with its own keys and configuration; stopped on dispose.</summary>
    private sealed class SshServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _root;

        private SshServer(Process process, string root, int port)
        {
            _process = process;
            _root = root;
            Port = port;
        }

        public int Port { get; }

        /// <summary>An ssh config with the authorized key and the server's key in known_hosts.</summary>
        public string ClientConfig => Path.Combine(_root, "client_config");

        /// <summary>The server's key is known, but the key offered is not authorized.</summary>
        public string WrongKeyConfig => Path.Combine(_root, "wrong_key_config");

        /// <summary>The authorized key, but no known_hosts entry for the server.</summary>
        public string UnknownHostConfig => Path.Combine(_root, "unknown_host_config");

        public EngineConnection Engine(string sshConfig, string? remoteSocket = null) =>
            EngineConnection.FromSettings(
                new EngineSettings { Host = $"ssh://root@127.0.0.1:{Port}", SshConfig = sshConfig, RemoteSocket = remoteSocket },
                _ => null, _root);

        public static async Task<SshServer> StartAsync(string root)
        {
            foreach (var key in new[] { "host_key", "client_key", "wrong_key" })
            {
                (await TestProcess.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", Path.Combine(root, key)])).EnsureSuccess("ssh-keygen");
            }

            File.Copy(Path.Combine(root, "client_key.pub"), Path.Combine(root, "authorized_keys"));
            var port = FreePort();
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
}
