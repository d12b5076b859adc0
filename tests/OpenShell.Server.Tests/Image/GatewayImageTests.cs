using System.Formats.Tar;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.Server.Tests.Image;

/// <summary>The gateway image built from Dockerfile.gateway on the offline base, run, and probed.</summary>
public sealed class GatewayImageTests
{
    private const string OfflineBase = "openshell-offline/debian:bookworm";

    [RequiresDocker]
    public async Task Image_builds_on_the_offline_base_runs_as_non_root_and_answers_healthz()
    {
        using var context = new TempDirectory("gateway-image");
        var publish = context.Combine("publish");
        using (await OpenShell.Server.Tests.Hosting.PublishLock.AcquireAsync())
        {
            var project = Path.Combine(RepositoryPaths.Root, "src", "OpenShell.Server", "OpenShell.Server.csproj");
            var outcome = await TestProcess.RunAsync(
                "dotnet",
                ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", publish, "-nologo", "-v", "q"],
                RepositoryPaths.Root,
                timeout: TimeSpan.FromMinutes(9));
            outcome.EnsureSuccess("dotnet publish of openshell-server");
        }


        var suffix = Guid.NewGuid().ToString("N")[..12];
        var tag = $"openshell-test/gateway:{suffix}";
        using var docker = DockerEngine.CreateClient();
        string? containerId = null;
        try
        {
            await BuildAsync(docker, publish, tag);

            var image = await docker.Images.InspectImageAsync(tag);
            Assert.Equal("10001:10001", image.Config.User);
            Assert.Equal(["openshell-server", "--port", "8080"], image.Config.Entrypoint);
            Assert.Contains("8080/tcp", image.Config.ExposedPorts.Keys);
            Assert.Contains("8081/tcp", image.Config.ExposedPorts.Keys);

            var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = $"openshell-test-gateway-{suffix}",
                Image = tag,
                Cmd = ["--disable-tls"],
                ExposedPorts = new Dictionary<string, EmptyStruct> { ["8081/tcp"] = default },
                HostConfig = new HostConfig
                {
                    PortBindings = new Dictionary<string, IList<PortBinding>> { ["8081/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
                },
            });
            containerId = created.ID;
            Assert.True(await docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters()));

            var inspected = await docker.Containers.InspectContainerAsync(containerId);
            var hostPort = inspected.NetworkSettings.Ports["8081/tcp"][0].HostPort;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            var healthz = new Uri($"http://127.0.0.1:{hostPort}/healthz");
            var status = await EventuallyAsync(async () =>
            {
                try
                {
                    using var response = await http.GetAsync(healthz);
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return (HttpStatusCode?)null;
                }
            }, s => s == HttpStatusCode.OK);
            Assert.True(status == HttpStatusCode.OK, $"/healthz answered {status?.ToString() ?? "nothing"}; logs:\n{await LogsAsync(docker, containerId)}");

            // Docker's own HEALTHCHECK runs `openshell-server --probe` inside the container.
            var health = await EventuallyAsync(async () => (await docker.Containers.InspectContainerAsync(containerId)).State.Health?.Status, s => s is "healthy" or "unhealthy");
            Assert.True(health == "healthy", $"container health is {health}; logs:\n{await LogsAsync(docker, containerId)}");
            Assert.Contains("INSECURE: --disable-tls", await LogsAsync(docker, containerId), StringComparison.Ordinal);
        }
        finally
        {
            if (containerId is not null)
            {
                await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true });
            }

            try
            {
                await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true, NoPrune = false });
            }
            catch (DockerImageNotFoundException)
            {
            }
        }
    }

    private static async Task BuildAsync(DockerClient docker, string publishDirectory, string tag)
    {
        // The same context the dev loop sends: Dockerfile, runtime/ and app/ layers.
        using var tar = new MemoryStream();
        await OpenShell.DevLoop.Builders.GatewayImageBuilder.WriteContextAsync(RepositoryPaths.Root, publishDirectory, tar);

        tar.Position = 0;
        var errors = new List<string>();
        var output = new List<string>();
        var progress = new Progress<JSONMessage>(m =>
        {
            lock (output)
            {
                if (m.Error?.Message is { } error)
                {
                    errors.Add(error);
                }

                if (m.Stream is { } line)
                {
                    output.Add(line);
                }
            }
        });
        await docker.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters
            {
                Dockerfile = "Dockerfile",
                Tags = [tag],
                BuildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = OfflineBase },
                Remove = true,
                ForceRemove = true,
            },
            tar,
            null,
            null,
            progress);

        // Progress<T> posts asynchronously; give the last messages a moment to land.
        await Task.Delay(200);
        lock (output)
        {
            Assert.True(errors.Count == 0, $"docker build failed: {string.Join('\n', errors)}\n{string.Concat(output)}");
        }
    }

    private static async Task<string> LogsAsync(DockerClient docker, string id)
    {
        using var logs = await docker.Containers.GetContainerLogsAsync(id, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
        var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None);
        return stdout + stderr;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(500);
        }
    }
}
