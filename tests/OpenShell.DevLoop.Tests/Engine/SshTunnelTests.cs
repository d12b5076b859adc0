using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>The ssh command line, the mapping of ssh's errors, and the tunnel's life, with a fake ssh.</summary>
public sealed class SshTunnelTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(400);

    public static TheoryData<string, string?, string?, string[]> Commands => new()
    {
        // host, remote socket, ssh config, expected arguments after the common options
        { "ssh://dev@gpu-box", null, null, ["-L", "/l.sock:/var/run/docker.sock", "-l", "dev", "--", "gpu-box"] },
        { "ssh://root@127.0.0.1:2222", "/run/user/1000/docker.sock", null, ["-L", "/l.sock:/run/user/1000/docker.sock", "-p", "2222", "-l", "root", "--", "127.0.0.1"] },
        { "ssh://gpu-box", null, "/etc/tunnel_config", ["-L", "/l.sock:/var/run/docker.sock", "--", "gpu-box"] },
        { "ssh://ops%40corp@[::1]:22", null, null, ["-L", "/l.sock:/var/run/docker.sock", "-p", "22", "-l", "ops@corp", "--", "::1"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_command_forwards_the_remote_socket_in_batch_mode_without_a_shared_connection(string host, string? remoteSocket, string? config, string[] tail)
    {
        var ssh = new EngineSsh(remoteSocket ?? EngineSsh.DefaultRemoteSocket, config);

        var arguments = SshTunnel.Arguments(new Uri(host), ssh, "/l.sock", TimeSpan.FromSeconds(7));

        string[] common =
        [
            "-N", "-T", "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "ConnectTimeout=7", "-o", "ControlMaster=no",
            "-o", "ControlPath=none", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "-o", "StreamLocalBindUnlink=yes",
        ];
        string[] expected = config is null ? [.. common, .. tail] : ["-F", config, .. common, .. tail];
        Assert.Equal(expected, arguments);
    }

    public static TheoryData<string, SshFailure, string, string> Errors => new()
    {
        // ssh's standard error, failure, in the message, in the remedy
        {
            "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n",
            SshFailure.HostKeyUnknown, "the host key of 127.0.0.1 is unknown (Host key verification failed.)", "connect once with `ssh -p 2222 root@127.0.0.1`"
        },
        {
            "@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@\nHost key verification failed.\n",
            SshFailure.HostKeyChanged, "is not the one in known_hosts", "ssh-keygen -R [127.0.0.1]:2222"
        },
        {
            "root@127.0.0.1: Permission denied (publickey).\n",
            SshFailure.AuthenticationRefused, "refused the login as root (root@127.0.0.1: Permission denied (publickey).)", "root's ~/.ssh/authorized_keys"
        },
        {
            "ssh: connect to host 127.0.0.1 port 2222: Connection refused\n",
            SshFailure.HostUnreachable, "127.0.0.1:2222 cannot be reached (ssh: connect to host 127.0.0.1 port 2222: Connection refused)", "sshd runs there"
        },
        {
            "ssh: Could not resolve hostname gpu-box: Name or service not known\n",
            SshFailure.HostUnreachable, "cannot be reached (ssh: Could not resolve hostname", "check the host name and port"
        },
        {
            "Connection timed out during banner exchange\nConnection to 10.255.255.1 port 22 timed out\n",
            SshFailure.HostUnreachable, "(Connection to 10.255.255.1 port 22 timed out)", "reachable from this machine"
        },
        {
            "channel 1: open failed: connect failed: open failed\n",
            SshFailure.RemoteSocketMissing, "SSH to root@127.0.0.1 works, but the Docker socket /var/run/docker.sock cannot be opened there", "OpenShell:Engine:RemoteSocket"
        },
        {
            "channel 2: open failed: administratively prohibited: open failed\n",
            SshFailure.RemoteSocketMissing, "(channel 2: open failed: administratively prohibited: open failed)", "AllowStreamLocalForwarding"
        },
        {
            "Bad configuration option: frobnicate\n",
            SshFailure.Other, "ssh exited (ssh: Bad configuration option: frobnicate)", "ssh -p 2222 root@127.0.0.1 docker version"
        },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task An_exiting_ssh_is_mapped_to_its_cause_and_fix(string stderr, SshFailure failure, string message, string remedy)
    {
        var runner = new FakeRunner(_ => new FakeProcess { Exited = true, Stderr = stderr });
        using var tunnel = Tunnel("ssh://root@127.0.0.1:2222", runner, (_, _) => Task.FromResult(false));

        var error = await Assert.ThrowsAsync<SshTunnelException>(() => tunnel.OpenAsync());

        Assert.Equal(failure, error.Failure);
        Assert.StartsWith("the SSH tunnel to the Docker engine at ssh://root@127.0.0.1:2222/ (DOCKER_HOST) failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains(remedy, error.Remedy, StringComparison.Ordinal);
        Assert.Equal(EngineConnectionException.Step, error.StepName);
        Assert.False(tunnel.IsOpen);
        Assert.True(runner.Started.Single().Disposed);
    }

    [Fact]
    public async Task The_tunnel_is_open_once_the_engine_answers_through_it_and_is_not_started_twice()
    {
        var pings = 0;
        var runner = new FakeRunner(_ => new FakeProcess());
        using var tunnel = Tunnel("ssh://dev@gpu-box", runner, (socket, _) => Task.FromResult(++pings >= 3));

        await tunnel.OpenAsync();
        await tunnel.OpenAsync();

        Assert.True(tunnel.IsOpen);
        Assert.Equal(3, pings);
        var started = Assert.Single(runner.Started);
        Assert.Contains($"{tunnel.LocalSocket}:/var/run/docker.sock", started.Arguments);
        Assert.Equal(new Uri("unix://" + tunnel.LocalSocket), tunnel.LocalEndpoint);
    }

    [Fact]
    public async Task A_tunnel_whose_ssh_exited_opens_again_and_dispose_stops_ssh_and_removes_the_socket_folder()
    {
        var runner = new FakeRunner(_ => new FakeProcess());
        var tunnel = Tunnel("ssh://dev@gpu-box", runner, (_, _) => Task.FromResult(true));
        await tunnel.OpenAsync();

        runner.Started[0].Exited = true;
        Assert.False(tunnel.IsOpen);
        await tunnel.OpenAsync();

        Assert.Equal(2, runner.Started.Count);
        Assert.True(runner.Started[0].Disposed);
        Assert.True(tunnel.IsOpen);
        var folder = Path.GetDirectoryName(tunnel.LocalSocket)!;
        Assert.True(Directory.Exists(folder));

        tunnel.Dispose();

        Assert.True(runner.Started[1].Disposed);
        Assert.False(Directory.Exists(folder));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tunnel.OpenAsync());
    }

    [Fact]
    public async Task A_running_ssh_that_cannot_open_the_remote_socket_fails_without_waiting_for_the_timeout()
    {
        var process = new FakeProcess();
        var runner = new FakeRunner(_ => process);
        using var tunnel = Tunnel("ssh://dev@gpu-box", runner, (_, _) =>
        {
            // The first connection through the forward is what makes ssh report the failed channel.
            process.Stderr = "channel 1: open failed: connect failed: open failed\n";
            return Task.FromResult(false);
        }, TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<SshTunnelException>(() => tunnel.OpenAsync());

        Assert.Equal(SshFailure.RemoteSocketMissing, error.Failure);
        Assert.True(process.Disposed);
    }

    [Fact]
    public async Task An_engine_that_never_answers_through_the_tunnel_times_out_with_ssh_still_running()
    {
        var runner = new FakeRunner(_ => new FakeProcess());
        using var tunnel = Tunnel("ssh://dev@gpu-box", runner, (_, _) => Task.FromResult(false));

        var error = await Assert.ThrowsAsync<SshTunnelException>(() => tunnel.OpenAsync());

        Assert.Equal(SshFailure.Other, error.Failure);
        Assert.Contains("the engine did not answer /_ping through the tunnel within 0.4 s", error.Message, StringComparison.Ordinal);
        Assert.True(runner.Started.Single().Disposed);
        Assert.False(tunnel.IsOpen);
    }

    [Fact]
    public async Task A_socket_that_does_not_exist_or_does_not_speak_http_is_not_an_engine()
    {
        using var folder = new OpenShell.Testing.TempDirectory("ssh-ping");
        var path = folder.Combine("s.sock");
        Assert.False(await SshTunnel.PingAsync(path, CancellationToken.None));

        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listener.Listen();
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using var connection = await listener.AcceptAsync();
                var buffer = new byte[256];
                await connection.ReceiveAsync(buffer);
                var reply = i == 0 ? "HTTP/1.1 404 Not Found\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";
                await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes(reply));
            }
        });

        Assert.False(await SshTunnel.PingAsync(path, CancellationToken.None));
        Assert.True(await SshTunnel.PingAsync(path, CancellationToken.None));
        await server;
    }

    private static SshTunnel Tunnel(string host, FakeRunner runner, Func<string, CancellationToken, Task<bool>> ping, TimeSpan? timeout = null) =>
        new(new Uri(host), EngineSsh.Default, "DOCKER_HOST", runner, ping, timeout ?? Quick);
}
