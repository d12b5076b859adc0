using System.Text;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

public sealed class BundleCommandTests
{
    [Fact]
    public async Task Pack_verify_stage_and_fetch_round_trip()
    {
        using var temp = new TempDirectory("cli-bundle");
        var root = CreateInstallRoot(temp.Combine("root"));
        var tarball = temp.Combine("out", "bundle.tar.gz");

        var pack = await CliRunner.RunAsync("bundle", "pack", root, "--arch", "x86_64", "--name", "toolkit", "--version", "1.17.8", "-o", tarball);
        Assert.Equal(0, pack.ExitCode);
        Assert.Equal(tarball, pack.Stdout.Trim());

        var verify = await CliRunner.RunAsync("bundle", "verify", tarball, "--arch", "amd64");
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("name: toolkit", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("nvidia_container_toolkit: 1.17.8 (commit unknown)", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("version: 1.17.8", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("architecture: amd64", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("files: 8 (7 regular, 1 symlinks)", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("size: ", verify.Stdout, StringComparison.Ordinal);

        var stage = await CliRunner.RunAsync("bundle", "stage", tarball, "--arch", "amd64", "--dest", temp.Combine("staged"));
        Assert.Equal(0, stage.ExitCode);
        Assert.True(File.Exists(temp.Combine("staged", "amd64", "toolkit_1.17.8_amd64", "usr", "bin", "nvidia-ctk")));

        var fetch = await CliRunner.RunAsync("bundle", "fetch", "--url", new Uri(tarball).ToString(), "--arch", "amd64", "--cache-dir", temp.Combine("cache"));
        Assert.Equal(0, fetch.ExitCode);
        var cached = fetch.Stdout.Trim();
        Assert.StartsWith(temp.Combine("cache"), cached, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(tarball), await File.ReadAllBytesAsync(cached));
        Assert.Contains("downloading", fetch.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_the_wrong_architecture_fails_with_the_reason()
    {
        using var temp = new TempDirectory("cli-bundle-arch");
        var tarball = temp.Combine("bundle.tar.gz");
        Assert.Equal(0, (await CliRunner.RunAsync("bundle", "pack", CreateInstallRoot(temp.Combine("root")), "--arch", "amd64", "-o", tarball)).ExitCode);

        var (exit, _, stderr) = await CliRunner.RunAsync("bundle", "verify", tarball, "--arch", "arm64");

        Assert.Equal(1, exit);
        Assert.Equal("runtime bundle validation failed: bundle architecture mismatch: expected arm64, got amd64", stderr.TrimEnd());
    }

    [Fact]
    public async Task Stage_of_a_corrupt_tarball_fails_and_stages_nothing()
    {
        using var temp = new TempDirectory("cli-bundle-corrupt");
        var tarball = temp.Combine("bundle.tar.gz");
        await File.WriteAllBytesAsync(tarball, Encoding.UTF8.GetBytes("definitely not a tarball"));

        var (exit, _, stderr) = await CliRunner.RunAsync("bundle", "stage", tarball, "--arch", "amd64", "--dest", temp.Combine("staged"));

        Assert.NotEqual(0, exit);
        Assert.StartsWith("runtime bundle validation failed: tar extraction reported warnings or errors: ", stderr, StringComparison.Ordinal);
        Assert.Contains("[rule: not-a-tarball]", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("staged", "amd64")));
    }

    [Fact]
    public async Task Fetch_with_a_bad_url_fails()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("bundle", "fetch", "--url", "bundle.tgz", "--arch", "amd64");

        Assert.NotEqual(0, exit);
        Assert.Contains("not an absolute URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pack_requires_an_output()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("bundle", "pack", ".", "--arch", "amd64");

        Assert.NotEqual(0, exit);
        Assert.Contains("--output", stderr, StringComparison.Ordinal);
    }

    private static string CreateInstallRoot(string root)
    {
        foreach (var binary in new[] { "nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk" })
        {
            Write(root, $"usr/bin/{binary}", $"#!/bin/sh\necho {binary}\n");
        }

        Write(root, "etc/nvidia-container-runtime/config.toml", "[nvidia-container-runtime]\n");
        Write(root, "usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8", new string('x', 5000));
        File.CreateSymbolicLink(Path.Combine(root, "usr/lib/x86_64-linux-gnu/libnvidia-container.so.1"), "libnvidia-container.so.1.17.8");
        return root;
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
