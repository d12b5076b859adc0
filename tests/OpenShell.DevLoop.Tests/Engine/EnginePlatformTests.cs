using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Engine;

/// <summary>What gets built follows the engine's platform (from its /info), not this machine's; DOCKER_PLATFORM still wins.</summary>
public sealed class EnginePlatformTests
{
    public static TheoryData<string, string, string, string, string> Engines => new()
    {
        // /info OSType, /info Architecture, architecture, platform, runtime identifier
        { "linux", "x86_64", "amd64", "linux/amd64", "linux-x64" },
        { "linux", "aarch64", "arm64", "linux/arm64", "linux-arm64" },
        { "Linux", "arm64", "arm64", "linux/arm64", "linux-arm64" },
        { "linux", "amd64", "amd64", "linux/amd64", "linux-x64" },
    };

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_engines_info_maps_to_the_platform_and_the_runtime_identifier(string osType, string reported, string architecture, string platform, string rid)
    {
        var engine = EnginePlatform.From(osType, reported);

        Assert.Equal(architecture, engine.Architecture);
        Assert.Equal(reported, engine.Reported);
        Assert.Equal(platform, engine.Platform);
        Assert.Equal(rid, engine.RuntimeIdentifier);
    }

    public static TheoryData<string?, string?, string> Unsupported => new()
    {
        { "windows", "x86_64", "runs windows containers" },
        { null, "x86_64", "runs an unknown OS containers" },
        { "linux", "s390x", "runs on 's390x'" },
        { "linux", null, "amd64 and arm64 only" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void An_engine_the_cluster_cannot_run_on_is_refused_with_what_it_reported(string? osType, string? reported, string expected)
    {
        var error = Assert.Throws<EngineConnectionException>(() => EnginePlatform.From(osType, reported));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Remedy);
    }

    public static TheoryData<string?, string?, string, string, string> Targets => new()
    {
        // DOCKER_PLATFORM, --arch, engine architecture, built for, decided by
        { null, null, "aarch64", "arm64", "the engine" },
        { null, null, "x86_64", "amd64", "the engine" },
        { "linux/amd64", null, "aarch64", "amd64", "DOCKER_PLATFORM" },
        { null, "x86_64", "aarch64", "amd64", "the request" },
        { "linux/arm64", "aarch64", "x86_64", "arm64", "DOCKER_PLATFORM" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_build_targets_the_engines_architecture_unless_one_is_named(string? platform, string? arch, string reported, string expected, string source)
    {
        var engine = EnginePlatform.From("linux", reported);
        var request = new ClusterImageBuildRequest("/repo", "openshell/cluster:dev", "rancher/k3s") { Platform = platform, Architecture = arch };

        var (architecture, from) = ClusterImageBuild.Target(request, engine.Architecture, "the engine");

        Assert.Equal(expected, architecture);
        Assert.Equal(source, from);
        Assert.Equal(expected == engine.Architecture, ClusterImageBuild.EngineMismatch(engine, architecture, request) is null);
    }

    [Fact]
    public void An_explicit_platform_the_engine_cannot_build_is_an_error_naming_both()
    {
        var engine = EnginePlatform.From("linux", "aarch64");
        var request = new ClusterImageBuildRequest("/repo", "openshell/cluster:dev", "rancher/k3s") { Platform = "linux/amd64" };

        var error = ClusterImageBuild.EngineMismatch(engine, BundleArchitecture.Amd64, request);

        Assert.NotNull(error);
        Assert.Contains("The cluster image for amd64 cannot be built on this arm64 Docker engine (linux/arm64); DOCKER_PLATFORM=linux/amd64 asks for amd64", error.Message, StringComparison.Ordinal);
        Assert.Contains("Unset DOCKER_PLATFORM", error.Message, StringComparison.Ordinal);
    }

    [RequiresDocker]
    public async Task The_engines_platform_is_read_from_its_info()
    {
        using var docker = DockerEngine.CreateClient();
        var version = await docker.System.GetVersionAsync();

        var engine = await EnginePlatform.ReadAsync(docker);

        Assert.Equal(BundleArchitecture.Normalize(version.Arch), engine.Architecture);
        Assert.Equal("linux/" + engine.Architecture, engine.Platform);
    }
}
