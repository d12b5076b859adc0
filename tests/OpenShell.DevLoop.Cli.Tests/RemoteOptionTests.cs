using OpenShell.DevLoop.Cli.Commands;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary><c>--remote HOST</c> on <c>deploy</c> and <c>cluster up</c>: <c>OpenShell:Engine:Host=ssh://HOST</c>.</summary>
public sealed class RemoteOptionTests
{
    public static TheoryData<string?, string?> Values => new()
    {
        // --remote, OpenShell:Engine:Host
        { null, null },
        { "dev@gpu-box", "ssh://dev@gpu-box" },
        { " root@127.0.0.1:2222 ", "ssh://root@127.0.0.1:2222" },
        { "gpu-box", "ssh://gpu-box" },
        { "ssh://dev@gpu-box:2200", "ssh://dev@gpu-box:2200" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Remote_is_shorthand_for_an_ssh_engine_host(string? remote, string? host)
    {
        var overrides = RemoteOption.Overrides(remote);

        Assert.Equal(host, overrides.GetValueOrDefault(RemoteOption.Key));
        Assert.Equal(host is null ? 0 : 1, overrides.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tcp://127.0.0.2:2376")]
    [InlineData("unix:///var/run/docker.sock")]
    public void Remote_refuses_what_is_not_an_ssh_destination(string remote)
    {
        var error = Assert.Throws<ArgumentException>(() => RemoteOption.Overrides(remote));

        Assert.Contains("[USER@]HOST[:PORT]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("cluster", "up")]
    public async Task Deploy_and_cluster_up_offer_remote(params string[] command)
    {
        var (exit, stdout, _) = await CliRunner.RunAsync([.. command, "--help"]);

        Assert.Equal(0, exit);
        Assert.Contains("--remote <HOST>", stdout, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST=ssh://HOST", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_up_with_remote_talks_to_that_engine_through_ssh()
    {
        using var repo = new TempDirectory("remote-option");
        (await TestProcess.RunAsync("git", ["init", "-q", repo.Path])).EnsureSuccess("git init");

        var (exit, _, stderr) = await CliRunner.RunAsync("cluster", "up", "--remote", "dev@gpu-box.invalid", "--offline", "--repo", repo.Path);

        // The engine named by --remote is the one asked (and, being nowhere, the SSH failure is reported as such).
        Assert.Equal(1, exit);
        Assert.Contains("the SSH tunnel to the Docker engine at ssh://dev@gpu-box.invalid/ (OpenShell:Engine:Host) failed", stderr, StringComparison.Ordinal);
    }
}
