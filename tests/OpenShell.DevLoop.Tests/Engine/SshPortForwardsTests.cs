using OpenShell.DevLoop.Engine;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>The ssh command line of the port forwards, the mapping of ssh's errors, and the forwards' life, with a fake ssh.</summary>
public sealed class SshPortForwardsTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void The_command_forwards_each_engine_loopback_port_from_a_local_loopback_port_in_batch_mode()
    {
        var ssh = new EngineSsh(EngineSsh.DefaultRemoteSocket, "/etc/tunnel_config");

        var arguments = SshPortForwards.Arguments(new Uri("ssh://root@127.0.0.1:2222"), ssh, new Dictionary<int, int> { [6443] = 40001, [5000] = 40002 }, TimeSpan.FromSeconds(7));

        string[] expected =
        [
            "-F", "/etc/tunnel_config",
            "-N", "-T", "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "ConnectTimeout=7", "-o", "ControlMaster=no",
            "-o", "ControlPath=none", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
            "-L", "127.0.0.1:40002:127.0.0.1:5000", "-L", "127.0.0.1:40001:127.0.0.1:6443",
            "-p", "2222", "-l", "root", "--", "127.0.0.1",
        ];
        Assert.Equal(expected, arguments);
    }

    public static TheoryData<string, SshFailure, string> Errors => new()
    {
        // ssh's standard error, failure, in the message
        { "root@127.0.0.1: Permission denied (publickey).\n", SshFailure.AuthenticationRefused, "refused the login as root" },
        { "ssh: connect to host 127.0.0.1 port 2222: Connection refused\n", SshFailure.HostUnreachable, "127.0.0.1:2222 cannot be reached" },
        { "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n", SshFailure.HostKeyUnknown, "the host key of 127.0.0.1 is unknown" },
        { "Bad configuration option: frobnicate\n", SshFailure.Other, "ssh exited (ssh: Bad configuration option: frobnicate)" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task An_exiting_ssh_is_mapped_to_its_cause_and_fix(string stderr, SshFailure failure, string message)
    {
        var runner = new FakeRunner(_ => new FakeProcess { Exited = true, Stderr = stderr });
        using var forwards = Forwards(runner, (_, _) => Task.FromResult(false));

        var error = await Assert.ThrowsAsync<SshTunnelException>(() => forwards.LocalPortAsync(6443));

        Assert.Equal(failure, error.Failure);
        Assert.StartsWith("the SSH port forwards to the Docker engine at ssh://root@127.0.0.1:2222/ (DOCKER_HOST) failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(forwards.IsOpen);
        Assert.True(runner.Started.Single().Disposed);
    }

    [Fact]
    public async Task A_port_is_ready_once_its_local_end_accepts_and_a_known_port_starts_nothing()
    {
        var checks = new List<int>();
        var runner = new FakeRunner(_ => new FakeProcess());
        var picks = new Queue<int>([41001, 41002]);
        using var forwards = Forwards(runner, (port, _) =>
        {
            checks.Add(port);
            return Task.FromResult(checks.Count >= 3);
        }, picks.Dequeue);

        Assert.Equal(41001, await forwards.LocalPortAsync(6443));
        Assert.Equal(41001, await forwards.LocalPortAsync(6443));

        Assert.Equal([41001, 41001, 41001], checks);
        var started = Assert.Single(runner.Started);
        Assert.Contains("127.0.0.1:41001:127.0.0.1:6443", started.Arguments);
        Assert.Equal(new Dictionary<int, int> { [6443] = 41001 }, forwards.Forwards);
        Assert.True(forwards.IsOpen);
    }

    [Fact]
    public async Task A_new_port_restarts_ssh_with_every_forward_and_keeps_the_local_ends_handed_out()
    {
        var runner = new FakeRunner(_ => new FakeProcess());
        var picks = new Queue<int>([41001, 41002]);
        using var forwards = Forwards(runner, (_, _) => Task.FromResult(true), picks.Dequeue);

        var api = await forwards.LocalPortAsync(6443);
        var gateway = await forwards.LocalPortAsync(30051);

        Assert.Equal((41001, 41002), (api, gateway));
        Assert.Equal(2, runner.Started.Count);
        Assert.True(runner.Started[0].Disposed);
        Assert.Contains("127.0.0.1:41001:127.0.0.1:6443", runner.Started[1].Arguments);
        Assert.Contains("127.0.0.1:41002:127.0.0.1:30051", runner.Started[1].Arguments);
    }

    [Fact]
    public async Task Forwards_whose_ssh_exited_open_again_on_the_next_use_and_dispose_stops_ssh()
    {
        var runner = new FakeRunner(_ => new FakeProcess());
        var forwards = Forwards(runner, (_, _) => Task.FromResult(true), () => 41001);
        var before = await forwards.LocalPortAsync(6443);

        runner.Started[0].Exited = true;
        Assert.False(forwards.IsOpen);
        var after = await forwards.LocalPortAsync(6443);

        Assert.Equal(before, after);
        Assert.Equal(2, runner.Started.Count);
        Assert.True(runner.Started[0].Disposed);
        Assert.True(forwards.IsOpen);

        forwards.Dispose();

        Assert.True(runner.Started[1].Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => forwards.LocalPortAsync(5000));
    }

    [Fact]
    public async Task Reopening_restarts_a_dead_ssh_on_the_same_local_ports_and_starts_nothing_when_it_runs_or_nothing_was_forwarded()
    {
        var runner = new FakeRunner(_ => new FakeProcess());
        var picks = new Queue<int>([41001, 41002]);
        using var forwards = Forwards(runner, (_, _) => Task.FromResult(true), picks.Dequeue);

        Assert.Empty(await forwards.ReopenAsync());
        Assert.Empty(runner.Started);

        await forwards.LocalPortAsync(6443);
        await forwards.LocalPortAsync(30051);
        Assert.Equal(2, runner.Started.Count);
        Assert.Equal(new Dictionary<int, int> { [6443] = 41001, [30051] = 41002 }, await forwards.ReopenAsync());
        Assert.Equal(2, runner.Started.Count);

        runner.Started[1].Exited = true;
        var reopened = await forwards.ReopenAsync();

        Assert.Equal(new Dictionary<int, int> { [6443] = 41001, [30051] = 41002 }, reopened);
        Assert.Equal(3, runner.Started.Count);
        Assert.True(runner.Started[1].Disposed);
        Assert.Contains("127.0.0.1:41001:127.0.0.1:6443", runner.Started[2].Arguments);
        Assert.Contains("127.0.0.1:41002:127.0.0.1:30051", runner.Started[2].Arguments);
        Assert.True(forwards.IsOpen);
    }

    [Fact]
    public async Task A_local_port_taken_before_ssh_binds_it_is_picked_again_once()
    {
        var runner = new FakeRunner(arguments => arguments.Contains("127.0.0.1:41001:127.0.0.1:6443")
            ? new FakeProcess { Exited = true, Stderr = "bind [127.0.0.1]:41001: Address already in use\nchannel_setup_fwd_listener_tcpip: cannot listen to port: 41001\nCould not request local forwarding.\n" }
            : new FakeProcess());
        var picks = new Queue<int>([41001, 41005]);
        using var forwards = Forwards(runner, (_, _) => Task.FromResult(true), picks.Dequeue);

        Assert.Equal(41005, await forwards.LocalPortAsync(6443));
        Assert.Equal(2, runner.Started.Count);

        // Taken again on the second try: the error says so instead of trying forever.
        var always = new FakeRunner(_ => new FakeProcess { Exited = true, Stderr = "bind [127.0.0.1]:41001: Address already in use\n" });
        using var unlucky = Forwards(always, (_, _) => Task.FromResult(true), () => 41001);
        var error = await Assert.ThrowsAsync<SshTunnelException>(() => unlucky.LocalPortAsync(6443));
        Assert.Contains("a local port is taken", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, always.Started.Count);
    }

    [Fact]
    public async Task A_local_end_that_never_listens_times_out_with_the_ports_named()
    {
        var runner = new FakeRunner(_ => new FakeProcess());
        using var forwards = Forwards(runner, (_, _) => Task.FromResult(false), () => 41001);

        var error = await Assert.ThrowsAsync<SshTunnelException>(() => forwards.LocalPortAsync(6443));

        Assert.Equal(SshFailure.Other, error.Failure);
        Assert.Contains("ssh did not listen on 127.0.0.1:41001 within 0.4 s", error.Message, StringComparison.Ordinal);
        Assert.True(runner.Started.Single().Disposed);
    }

    [Fact]
    public async Task The_local_end_of_a_real_listener_is_seen_listening_and_a_free_port_is_not()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        Assert.True(await SshPortForwards.ListeningAsync(port, CancellationToken.None));

        var free = SshPortForwards.PickFreePort();
        Assert.False(await SshPortForwards.ListeningAsync(free, CancellationToken.None));
    }

    [Fact]
    public async Task The_loopback_ports_of_a_local_engine_are_dialled_as_published()
    {
        Assert.True(LoopbackEnginePorts.Instance.SharesLoopback);
        Assert.Equal(6443, await LoopbackEnginePorts.Instance.LocalPortAsync(6443));
    }

    private static SshPortForwards Forwards(FakeRunner runner, Func<int, CancellationToken, Task<bool>> listening, Func<int>? pick = null) =>
        new(new Uri("ssh://root@127.0.0.1:2222"), EngineSsh.Default, "DOCKER_HOST", runner, listening, Quick, pick ?? (() => 41001));
}
