using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.FileSystem;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.DevLoop.Session;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

/// <summary>
/// <c>--skip-sync</c> with <c>--remote-runtime-bundle-tarball</c>: a tarball on the Docker engine's machine is brought back
/// through a helper container and verified here. The engine of these tests runs on this machine, so "its machine" is this
/// one's file system; what is proven is that the file travels through the engine, not through a local path.
/// </summary>
public sealed class RemoteTarballTests
{
    private const string Architecture = BundleArchitecture.Amd64;

    [Fact]
    public async Task Skip_sync_without_a_remote_tarball_fails_with_upstreams_words()
    {
        using var repo = new TempDirectory("remote-bundle");
        var resolver = new RuntimeBundleResolver(Settings(remote: null), new CachePaths(repo.Path));

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => resolver.ResolveAsync(Architecture, new RecordingLogger(), CancellationToken.None));

        Assert.Equal("--skip-sync requires --remote-runtime-bundle-tarball (or OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL)", error.Message);
    }

    [Fact]
    public void Settings_with_skip_sync_and_no_remote_tarball_are_refused_before_anything_runs()
    {
        var error = Assert.Throws<InvalidOperationException>(() => OpenShellSettings.From(
            SettingsFiles.Load(Path.Combine(RepositoryPaths.Root, "OpenShell.AppHost"), offline: true, [new("OpenShell:RuntimeBundle:SkipSync", "true")]),
            new Dictionary<string, string?>()));

        Assert.Equal("--skip-sync requires --remote-runtime-bundle-tarball (or OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL)", error.Message);
    }

    [Fact]
    public void The_remote_variable_is_upstreams()
    {
        var settings = OpenShellSettings.From(
            SettingsFiles.Load(Path.Combine(RepositoryPaths.Root, "OpenShell.AppHost"), offline: true),
            new Dictionary<string, string?> { ["OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL"] = "/srv/bundles/gpu.tar.gz" });

        Assert.Equal("/srv/bundles/gpu.tar.gz", settings.RuntimeBundle.RemoteTarball);
        Assert.False(settings.RuntimeBundle.SkipSync);
    }

    [RequiresDocker]
    public async Task A_tarball_on_the_engines_machine_is_brought_back_verified_and_no_helper_is_left()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        using var remote = new TempDirectory("engine-side");
        using var repo = new TempDirectory("remote-bundle");
        var tarball = await SyntheticRuntimeBundle.EnsureAsync(remote.Path, Architecture);
        var resolver = new RuntimeBundleResolver(Settings(tarball), new CachePaths(repo.Path), docker);

        var resolved = await resolver.ResolveAsync(Architecture, new RecordingLogger(), CancellationToken.None);

        Assert.StartsWith(new CachePaths(repo.Path).RemoteBundles, resolved.Tarball, StringComparison.Ordinal);
        Assert.Equal(Sha256(tarball), Sha256(resolved.Tarball));
        Assert.Equal(SyntheticRuntimeBundle.Name, resolved.Verified.Manifest.Name);
        Assert.Contains("on the Docker engine's machine", resolved.Origin, StringComparison.Ordinal);
        Assert.Equal([resolved.Tarball], Directory.GetFiles(Path.GetDirectoryName(resolved.Tarball)!)); // no scratch files left
        Assert.Empty(await HelpersAsync(docker));
    }

    public static TheoryData<string, string> BadRemotePaths => new()
    {
        // case, the message after the bundle contract's prefix
        { "missing file", "tarball not found: {path}" },
        { "missing folder", "tarball not found: {path}" },
        { "a folder", "tarball not found: {path}" },
    };

    [RequiresDockerTheory]
    [MemberData(nameof(BadRemotePaths))]
    public async Task A_tarball_that_is_not_on_the_engines_machine_is_not_found_and_nothing_is_created_there(string kind, string message)
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        using var remote = new TempDirectory("engine-side");
        using var repo = new TempDirectory("remote-bundle");
        var path = kind switch
        {
            "missing file" => remote.Combine("gpu.tar.gz"),
            "missing folder" => remote.Combine("no-such-folder", "gpu.tar.gz"),
            _ => Directory.CreateDirectory(remote.Combine("a-folder.tar.gz")).FullName,
        };
        var resolver = new RuntimeBundleResolver(Settings(path), new CachePaths(repo.Path), docker);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => resolver.ResolveAsync(Architecture, new RecordingLogger(), CancellationToken.None));

        Assert.Equal(BundleRule.TarballNotFound, error.Rule);
        Assert.Equal(RuntimeBundleException.ValidationPrefix + message.Replace("{path}", path, StringComparison.Ordinal), error.Message);
        // A bind of a missing folder would have created it on the engine's machine; a mount is refused instead.
        Assert.False(Directory.Exists(remote.Combine("no-such-folder")));
        Assert.False(Directory.Exists(new CachePaths(repo.Path).RemoteBundles) && Directory.EnumerateFileSystemEntries(new CachePaths(repo.Path).RemoteBundles).Any());
        Assert.Empty(await HelpersAsync(docker));
    }

    [Theory]
    [InlineData("bundles/gpu.tar.gz")]
    [InlineData("/srv/bundles/")]
    [InlineData("  ")]
    public async Task A_remote_path_that_is_not_absolute_is_refused_before_the_engine_is_asked(string path)
    {
        using var repo = new TempDirectory("remote-bundle");
        // Never connected: the path is refused first.
        using var docker = DockerEngine.CreateClient();
        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() =>
            RemoteTarballFetcher.FetchAsync(docker, path, OfflineImages.Debian, repo.Path, new RecordingLogger()));

        Assert.Contains("give the tarball's absolute path on the Docker engine's machine", error.Message, StringComparison.Ordinal);
    }

    private static OpenShellSettings Settings(string? remote) => new()
    {
        RuntimeBundle = new RuntimeBundleSettings { SkipSync = true, RemoteTarball = remote },
        Images = new ImageSettings { RuntimeDeps = OfflineImages.Debian },
    };

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    private static async Task<IList<ContainerListResponse>> HelpersAsync(IDockerClient docker) =>
        await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["dev.openshell.role=remote-bundle-copy"] = true } },
        });
}
