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
    public async Task Prints_every_setting_with_its_source_from_the_repository_dotenv_and_masks_secrets()
    {
        using var repository = await OpenShell.Testing.GitTestRepository.CreateAsync();
        repository.Write(".env", "export CLUSTER_NAME=from-dotenv\nREGISTRY_PASSWORD='s3cret value'\nOPENSHELL_RUNTIME_BUNDLE_TARBALL=/b/${CLUSTER_NAME}.tgz\n");

        var (exit, stdout, _) = await CliRunner.RunAsync("config", "-C", repository.Root);

        Assert.Equal(0, exit);
        Assert.Matches(@"cluster\.name=from-dotenv +# CLUSTER_NAME in \.env", stdout);
        Assert.Matches(@"runtimeBundle\.tarball=/b/from-dotenv\.tgz +# OPENSHELL_RUNTIME_BUNDLE_TARBALL in \.env", stdout);
        Assert.Matches(@"cluster\.registryPassword=\*+ +# REGISTRY_PASSWORD in \.env", stdout);
        Assert.Matches(@"cluster\.gatewayNodePort=30051 +# .*appsettings\.json", stdout);
        Assert.Matches(@"deploy\.fullMode=False +# default", stdout);
        Assert.DoesNotContain("s3cret", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_dotenv_is_an_error_naming_the_line()
    {
        using var repository = await OpenShell.Testing.GitTestRepository.CreateAsync();
        repository.Write(".env", "OK=1\nnot a line\n");

        var (exit, _, stderr) = await CliRunner.RunAsync("config", "-C", repository.Root);

        Assert.Equal(1, exit);
        Assert.Contains(".env:2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_fails()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("no-such-command");

        Assert.NotEqual(0, exit);
        Assert.Contains("no-such-command", stderr, StringComparison.Ordinal);
    }
}
