namespace OpenShell.DevLoop.Cli.Tests;

public sealed class ConfigCommandTests
{
    [Fact]
    public async Task Prints_public_images_by_default()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("config");

        Assert.Equal(0, exit);
        Assert.Contains("images.registry=docker.io/library/registry:2", stdout, StringComparison.Ordinal);
        Assert.Contains("registry.hostPort=5000", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_reads_the_apphost_offline_settings()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("config", "--offline");

        Assert.Equal(0, exit);
        Assert.Contains("profile=Offline", stdout, StringComparison.Ordinal);
        Assert.Contains("images.registry=openshell-offline/registry:2", stdout, StringComparison.Ordinal);
        Assert.Contains("images.k3s=openshell-offline/k3s-sim:latest", stdout, StringComparison.Ordinal);
        Assert.Contains("images.clusterBase=openshell-offline/cluster-base:bookworm", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_fails()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("no-such-command");

        Assert.NotEqual(0, exit);
        Assert.Contains("no-such-command", stderr, StringComparison.Ordinal);
    }
}
