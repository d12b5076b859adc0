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

    [RequiresSshd]
    public async Task A_port_on_the_remote_loopback_is_reached_through_an_ssh_forward_which_opens_again_after_ssh_died()
    {
        using var folder = new TempDirectory("ssh-forward");
        await using var sshd = await SshServer.StartAsync(folder.Path);
        using var published = new TcpListener(IPAddress.Loopback, 0);
        published.Start();
        var enginePort = ((IPEndPoint)published.LocalEndpoint).Port;
        using var ports = (SshPortForwards)sshd.Engine(sshd.ClientConfig).CreatePorts();

        var local = await ports.LocalPortAsync(enginePort);

        Assert.NotEqual(enginePort, local);
        await AssertRelaysAsync(published, local);
        var forward = $"127.0.0.1:{local}:127.0.0.1:{enginePort}";
        await SshClientProcesses.KillAsync(forward);
        Assert.False(ports.IsOpen);
        Assert.False(await SshPortForwards.ListeningAsync(local, CancellationToken.None));

        Assert.Equal(local, await ports.LocalPortAsync(enginePort));
        await AssertRelaysAsync(published, local);
        Assert.Single(SshClientProcesses.WithArgument(forward));

        ports.Dispose();
        Assert.Empty(SshClientProcesses.WithArgument(forward));
    }

    [RequiresSshd]
    public async Task The_engine_watch_brings_a_killed_forward_back_on_its_local_port_before_anyone_uses_it()
    {
        using var folder = new TempDirectory("ssh-watch");
        await using var sshd = await SshServer.StartAsync(folder.Path);
        using var published = new TcpListener(IPAddress.Loopback, 0);
        published.Start();
        var enginePort = ((IPEndPoint)published.LocalEndpoint).Port;
        var engine = sshd.Engine(sshd.ClientConfig);
        using var client = engine.CreateClient();
        using var ports = (SshPortForwards)engine.CreatePorts();
        var local = await ports.LocalPortAsync(enginePort);
        var watch = new EngineWatch(new DockerEngineProbe(client, engine, ports), engine.ToString());
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(stop.Token);

        await UntilAsync(() => Task.FromResult(watch.Current.Link == EngineLink.Connected), TimeSpan.FromSeconds(60));
        Assert.Equal(local, watch.Current.Facts!.Forwards[enginePort]);
        Assert.StartsWith("linux/", watch.Current.Facts.Platform, StringComparison.Ordinal);

        await SshClientProcesses.KillAsync($"127.0.0.1:{local}:127.0.0.1:{enginePort}");
        Assert.False(ports.IsOpen);

        // Nobody asks for the port: the watch's next check (every 5 s) opens it again where it was.
        await UntilAsync(async () => ports.IsOpen && await SshPortForwards.ListeningAsync(local, CancellationToken.None), TimeSpan.FromSeconds(30));
        await AssertRelaysAsync(published, local);
        Assert.Equal(EngineLink.Connected, watch.Current.Link);
        await stop.CancelAsync();
        await run;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {patience.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    private static async Task AssertRelaysAsync(TcpListener published, int localPort)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, localPort);
        await client.GetStream().WriteAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        while (true)
        {
            // The forward's readiness check also connects through it; its connection ends without data.
            using var accepted = await published.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
            try
            {
                await accepted.GetStream().ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                break;
            }
            catch (EndOfStreamException)
            {
            }
        }

        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(buffer));
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
}
