using System.Text.Json;
using Docker.DotNet;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary><c>cluster spec</c> and the GPU preflight of <c>cluster up</c>, through the real command line.</summary>
public sealed class ClusterGpuAndSpecTests
{
    private static async Task<ProcessOutcome> RunCliAsync(string workingDirectory, Dictionary<string, string?> env, params string[] args) =>
        await TestProcess.RunAsync("dotnet", [CliAssembly, .. args], workingDirectory, env, TimeSpan.FromMinutes(2));

    // The CLI from its own build output, as users run it: this test project also references the gateway (an ASP.NET Core
    // app), so its output folder leaves out what the ASP.NET Core framework provides, which the CLI's own runtime lacks.
    internal static string CliAssembly
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            return Path.Combine(RepositoryPaths.Root, "src", "OpenShell.DevLoop.Cli", "bin", configuration, framework.Name, "openshell-dev.dll");
        }
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "legacy")]
    [InlineData(true, "cdi")]
    public async Task Spec_prints_the_create_parameters_and_writes_nothing(bool gpu, string? mode)
    {
        using var repo = new TempDirectory("cli-spec");
        var env = new Dictionary<string, string?> { ["CLUSTER_GPU"] = null, ["GATEWAY_PORT"] = null, ["CLUSTER_NAME"] = "Spec_Demo" };
        if (mode is not null)
        {
            env["OpenShell__Cluster__GpuMode"] = mode;
        }

        string[] args = gpu ? ["cluster", "spec", "--gpu", "--repo", repo.Path] : ["cluster", "spec", "--repo", repo.Path];
        var result = await RunCliAsync(repo.Path, env, args);

        result.EnsureSuccess("cluster spec");
        Assert.Empty(Directory.EnumerateFileSystemEntries(repo.Path));
        Assert.Contains("no gateway port is kept yet", result.Stderr, StringComparison.Ordinal);
        var spec = Parse(result.Stdout);
        Assert.Equal("openshell-cluster-spec-demo", spec.GetProperty("Name").GetString());
        Assert.Equal("openshell/cluster:dev", spec.GetProperty("Image").GetString());
        var variables = spec.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("OPENSHELL_NODE_NAME=openshell-spec-demo", variables);
        Assert.Contains($"GPU_ENABLED={(gpu ? "true" : "false")}", variables);
        var host = spec.GetProperty("HostConfig");
        Assert.True(host.GetProperty("Privileged").GetBoolean());
        Assert.Equal("host", host.GetProperty("CgroupnsMode").GetString());
        Assert.Equal("openshell-dev", host.GetProperty("NetworkMode").GetString());
        Assert.Equal(["host.docker.internal:host-gateway", "host.openshell.internal:host-gateway"], host.GetProperty("ExtraHosts").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("", host.GetProperty("PortBindings").GetProperty("30051/tcp")[0].GetProperty("HostPort").GetString());
        Assert.Equal("/var/lib/rancher/k3s", host.GetProperty("Mounts")[0].GetProperty("Target").GetString());
        if (!gpu)
        {
            Assert.False(host.TryGetProperty("DeviceRequests", out _));
            return;
        }

        var request = Assert.Single(host.GetProperty("DeviceRequests").EnumerateArray());
        if (mode == "cdi")
        {
            Assert.Equal("cdi", request.GetProperty("Driver").GetString());
            Assert.Equal(["nvidia.com/gpu=all"], request.GetProperty("DeviceIDs").EnumerateArray().Select(e => e.GetString()));
        }
        else
        {
            Assert.Equal("nvidia", request.GetProperty("Driver").GetString());
            Assert.Equal(-1, request.GetProperty("Count").GetInt32());
            Assert.Contains("gpu", request.GetProperty("Capabilities")[0].EnumerateArray().Select(e => e.GetString()));
        }
    }

    [Fact]
    public async Task Spec_uses_the_kept_gateway_port_and_offline_settings_and_redacts_the_password()
    {
        using var repo = new TempDirectory("cli-spec");
        await File.WriteAllTextAsync(repo.Combine(".env"), "GATEWAY_PORT=24567\n");
        var before = await File.ReadAllTextAsync(repo.Combine(".env"));

        var result = await RunCliAsync(repo.Path, new() { ["CLUSTER_GPU"] = null, ["GATEWAY_PORT"] = null, ["REGISTRY_USERNAME"] = "bot", ["REGISTRY_PASSWORD"] = "s3cret-value" }, "cluster", "spec", "--offline", "--repo", repo.Path);

        result.EnsureSuccess("cluster spec");
        Assert.Equal(before, await File.ReadAllTextAsync(repo.Combine(".env")));
        Assert.DoesNotContain("s3cret-value", result.Stdout + result.Stderr, StringComparison.Ordinal);
        var spec = Parse(result.Stdout);
        var variables = spec.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("REGISTRY_PASSWORD=<redacted>", variables);
        Assert.Contains("OPENSHELL_HEALTHCHECK_GATEWAY_TCP=false", variables);
        var host = spec.GetProperty("HostConfig");
        Assert.Equal("24567", host.GetProperty("PortBindings").GetProperty("30051/tcp")[0].GetProperty("HostPort").GetString());
        Assert.False(host.TryGetProperty("Privileged", out var privileged) && privileged.GetBoolean());
    }

    [RequiresDocker]
    public async Task Gpu_up_on_an_engine_without_gpu_support_fails_fast_and_creates_nothing()
    {
        using var docker = DockerEngine.CreateClient();
        var engine = await EngineInfo.ReadGpuSupportAsync(DockerEngine.Endpoint);
        if (engine.HasNvidiaRuntime)
        {
            // This machine can serve GPUs: the refusal cannot be shown here.
            return;
        }

        using var repo = new TempDirectory("cli-gpu");
        var name = $"gpu-{Guid.NewGuid():N}"[..16];
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await RunCliAsync(repo.Path, new() { ["CLUSTER_GPU"] = "1", ["CLUSTER_NAME"] = name, ["GATEWAY_PORT"] = null }, "cluster", "up", "--offline", "--repo", repo.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("GPUs were asked for (CLUSTER_GPU=1", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("no 'nvidia'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nvidia-ctk runtime configure --runtime=docker", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was created.", result.Stderr, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(repo.Path));
        await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => docker.Containers.InspectContainerAsync($"openshell-cluster-{name}"));
        var volumes = await docker.Volumes.ListAsync();
        Assert.DoesNotContain(volumes.Volumes ?? [], v => v.Name == $"openshell-cluster-{name}");
    }
}
