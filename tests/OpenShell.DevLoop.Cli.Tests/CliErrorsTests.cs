using OpenShell.DevLoop.Cli.Commands;
using OpenShell.DevLoop.Publishing;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary>The one error ladder every command runs under, and publish's own case on top of it.</summary>
public sealed class CliErrorsTests
{
    public static TheoryData<string, Exception, string> Failures => new()
    {
        { "bundle", new RuntimeBundleException(BundleRule.SourceNotConfigured, null, "missing required variable: X"), "missing required variable: X\n" },
        { "engine error", new PublishException("the cause", "the fix"), "error: Publish failed: the cause\nthe fix\n" },
        { "invalid setting", new InvalidOperationException("IMAGE_TAG is bad"), "error: IMAGE_TAG is bad\n" },
        { "invalid argument", new ArgumentException("no such architecture"), "error: no such architecture\n" },
        { "engine unreachable", new HttpRequestException("connection refused"), $"error: the Docker engine at {Docker.DockerEngine.Endpoint} failed: connection refused\n" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Each_expected_failure_is_its_lines_on_stderr_and_exit_code_1(string kind, Exception failure, string expected)
    {
        using var stderr = new StringWriter();

        var exit = await CliErrors.RunAsync(stderr, () => throw failure);

        Assert.Equal(1, exit);
        Assert.True(expected == stderr.ToString().ReplaceLineEndings("\n"), $"{kind}: {stderr}");
    }

    [Fact]
    public async Task A_commands_own_case_comes_first_and_a_bug_is_not_swallowed()
    {
        using var stderr = new StringWriter();
        static IReadOnlyList<string>? Own(Exception ex) => ex is PublishException p ? [p.Message] : null;

        Assert.Equal(1, await CliErrors.RunAsync(stderr, () => throw new PublishException("as upstream words it", "remedy"), Own));
        Assert.Equal("as upstream words it\n", stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(0, await CliErrors.RunAsync(stderr, () => Task.FromResult(0), Own));
        await Assert.ThrowsAsync<NotSupportedException>(() => CliErrors.RunAsync(stderr, () => throw new NotSupportedException("a bug"), Own));
    }

    [Fact]
    public async Task Publish_without_a_registry_prints_upstreams_message_then_the_remedy()
    {
        using var repository = await GitTestRepository.CreateAsync();

        var (exit, stdout, stderr) = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string>(), "publish", "--offline", "--repo", repository.Root);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Equal(
            ["Set DOCKER_REGISTRY to push multi-arch images (e.g. ghcr.io/myorg)", "Pass --registry or set DOCKER_REGISTRY (e.g. 127.0.0.1:5000/team for a local registry)."],
            stderr.TrimEnd().ReplaceLineEndings("\n").Split('\n'));
    }

    [Fact]
    public async Task Publish_of_an_unsupported_platform_prints_upstreams_message()
    {
        using var repository = await GitTestRepository.CreateAsync();
        repository.Write(".env", "DOCKER_REGISTRY=127.0.0.1:5199/demo\nDOCKER_PLATFORMS=linux/amd64,linux/s390x\n");

        var (exit, _, stderr) = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string>(), "publish", "--offline", "--repo", repository.Root);

        Assert.Equal(1, exit);
        Assert.Equal("Unsupported cluster platform for runtime bundle publishing: linux/s390x", stderr.ReplaceLineEndings("\n").Split('\n')[0]);
    }
}
