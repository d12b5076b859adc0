using System.Formats.Tar;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.Registry;

/// <summary>Starts the AppHost in the Offline environment against a real Docker engine.</summary>
public sealed class RegistryFunctionalTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    [RequiresDocker]
    public async Task Registry_becomes_healthy_and_serves_a_pushed_image()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var ct = cts.Token;
        var port = FreeLoopbackPort();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var containerName = $"openshell-test-registry-{suffix}";

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenShell_AppHost>(
            [
                "--environment=Offline",
                "--DcpPublisher:RandomizePorts=false",
                $"--OpenShell:Registry:HostPort={port}",
                $"--OpenShell:Registry:ContainerName={containerName}",
                $"--OpenShell:Registry:VolumeName={containerName}-data",
                "--OpenShell:Registry:Persistent=false",
            ],
            ct);
        await using var app = await appHost.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("registry", ct);

        using var docker = DockerEngine.CreateClient();
        try
        {
            // Published on loopback only.
            var inspect = await docker.Containers.InspectContainerAsync(containerName, ct);
            var binding = Assert.Single(inspect.HostConfig.PortBindings["5000/tcp"]);
            Assert.Equal("127.0.0.1", binding.HostIP);

            var repository = $"127.0.0.1:{port}/openshell-test/hello";
            await ImportTinyImageAsync(docker, repository, "1", ct);
            string? pushedDigest = null;
            await docker.Images.PushImageAsync(
                repository,
                new ImagePushParameters { Tag = "1" },
                new AuthConfig(),
                new SyncProgress<JSONMessage>(m =>
                {
                    if (m.Aux?.ExtensionData?.TryGetValue("Digest", out var d) == true)
                    {
                        pushedDigest = d?.ToString();
                    }

                    if (m.Error is not null)
                    {
                        throw new InvalidOperationException(m.Error.Message);
                    }
                }),
                ct);
            Assert.NotNull(pushedDigest);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v2/_catalog", UriKind.Relative), ct));
            var repositories = catalog.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("openshell-test/hello", repositories);

            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/openshell-test/hello/manifests/1");
            request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
            request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
            using var manifest = await http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
            Assert.Equal(pushedDigest, manifest.Headers.GetValues("Docker-Content-Digest").Single());
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await RemoveLeftoversAsync(docker, containerName);
            try
            {
                await docker.Images.DeleteImageAsync($"127.0.0.1:{port}/openshell-test/hello:1", new ImageDeleteParameters { Force = true });
            }
            catch (Docker.DotNet.DockerImageNotFoundException)
            {
                // The test failed before importing it.
            }
        }
    }

    [RequiresDocker]
    public async Task A_pull_through_proxy_with_the_registry_name_is_replaced_and_the_log_says_why()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var ct = cts.Token;
        var port = FreeLoopbackPort();
        var containerName = $"openshell-test-registry-{Guid.NewGuid().ToString("N")[..8]}";
        using var docker = DockerEngine.CreateClient();
        await docker.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Name = containerName,
                Image = "openshell-offline/registry:2",
                Env = ["REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io"],
            },
            ct);

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OpenShell_AppHost>(
            [
                "--environment=Offline",
                "--DcpPublisher:RandomizePorts=false",
                $"--OpenShell:Registry:HostPort={port}",
                $"--OpenShell:Registry:ContainerName={containerName}",
                $"--OpenShell:Registry:VolumeName={containerName}-data",
                "--OpenShell:Registry:Persistent=false",
            ],
            ct);
        await using var app = await appHost.BuildAsync(ct);
        await app.StartAsync(ct);
        try
        {
            var healthy = await app.ResourceNotifications.WaitForResourceHealthyAsync("registry", ct);

            var inspect = await docker.Containers.InspectContainerAsync(containerName, ct);
            Assert.DoesNotContain(inspect.Config.Env, e => e.StartsWith("REGISTRY_PROXY_REMOTEURL=", StringComparison.Ordinal));
            var logs = app.Services.GetRequiredService<ResourceLoggerService>();
            using var logTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            logTimeout.CancelAfter(TimeSpan.FromSeconds(20));
            var line = await WaitForLogLineAsync(logs, healthy.ResourceId, "Replaced the existing container", logTimeout.Token);
            Assert.Contains("pull-through proxy", line, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await RemoveLeftoversAsync(docker, containerName);
        }
    }

    private static async Task<string> WaitForLogLineAsync(ResourceLoggerService logs, string resource, string needle, CancellationToken ct)
    {
        await foreach (var batch in logs.WatchAsync(resource).WithCancellation(ct))
        {
            foreach (var line in batch)
            {
                if (line.Content.Contains(needle, StringComparison.Ordinal))
                {
                    return line.Content;
                }
            }
        }

        throw new InvalidOperationException($"'{needle}' never appeared in the {resource} log.");
    }

    /// <summary>Imports a one-file image, so the test needs nothing from any registry.</summary>
    private static async Task ImportTinyImageAsync(Docker.DotNet.IDockerClient docker, string repository, string tag, CancellationToken ct)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream("hello from the registry test\n"u8.ToArray()),
            };
            writer.WriteEntry(entry);
        }

        tar.Position = 0;
        await docker.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = repository, Tag = tag },
            tar,
            new AuthConfig(),
            new Progress<JSONMessage>(),
            ct);
    }

    // Aspire removes session containers some seconds after the stop, and never their named volume: leave nothing behind.
    private static async Task RemoveLeftoversAsync(Docker.DotNet.DockerClient docker, string containerName)
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(containerName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
        }
        catch (Docker.DotNet.DockerContainerNotFoundException)
        {
            // Already removed.
        }

        try
        {
            await docker.Volumes.RemoveAsync($"{containerName}-data", force: true);
        }
        catch (Docker.DotNet.DockerApiException)
        {
            // Never created (the test failed early).
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool and can run after the call returns).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
