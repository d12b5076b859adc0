using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

public sealed class ClusterCommandTests
{
    [Fact]
    public async Task Build_image_without_a_bundle_names_the_variable_and_builds_nothing()
    {
        using var repo = new TempDirectory("cli-cluster");

        var (exit, _, stderr) = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string>(), "cluster", "build-image", "--offline", "--arch", "amd64", "--repo", repo.Path);

        Assert.Equal(1, exit);
        Assert.StartsWith("missing required variable: OPENSHELL_RUNTIME_BUNDLE_TARBALL", stderr.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
        Assert.False(Directory.Exists(repo.Combine("deploy", "docker", ".build")));
    }

    [Fact]
    public async Task A_missing_bundle_file_is_refused_before_building()
    {
        using var repo = new TempDirectory("cli-cluster");

        var (exit, _, stderr) = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string>(), "cluster", "build-image", "--offline", "--arch", "amd64", "--bundle", repo.Combine("nope.tar.gz"), "--repo", repo.Path);

        Assert.Equal(1, exit);
        Assert.Equal($"runtime bundle validation failed: tarball not found: {repo.Combine("nope.tar.gz")}", stderr.TrimEnd());
        Assert.False(Directory.Exists(repo.Combine("deploy", "docker", ".build")));
    }

    [RequiresDocker]
    public async Task Status_down_and_kubeconfig_of_an_absent_cluster()
    {
        using var repo = new TempDirectory("cli-cluster");
        var container = "openshell-cluster-" + Path.GetFileName(repo.Path);

        var status = await CliRunner.RunAsync("cluster", "status", "--offline", "--repo", repo.Path);
        var down = await CliRunner.RunAsync("cluster", "down", "--volumes", "--offline", "--repo", repo.Path);
        var kubeconfig = await CliRunner.RunAsync("cluster", "kubeconfig", "--offline", "--repo", repo.Path);

        Assert.Equal(3, status.ExitCode);
        Assert.Contains($"container: {container}", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("state: absent", status.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("does not exist", down.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, kubeconfig.ExitCode);
        Assert.Contains("cluster up", kubeconfig.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_subcommands()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("cluster", "--help");

        Assert.Equal(0, exit);
        foreach (var name in new[] { "build-base", "build-image", "up", "down", "status", "kubeconfig", "spec" })
        {
            Assert.Contains(name, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Build_base_offline_says_the_base_comes_from_the_offline_images_script()
    {
        using var repo = new TempDirectory("cli-cluster");

        var (exit, stdout, stderr) = await CliRunner.RunAsync("cluster", "build-base", "--offline", "--repo", repo.Path);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("The cluster base image openshell-offline/cluster-base:bookworm cannot be built here: OpenShell:Images:ClusterBaseFrom is empty.", stderr, StringComparison.Ordinal);
        Assert.Contains("sudo bash eng/offline-images.sh", stderr, StringComparison.Ordinal);
    }
}
