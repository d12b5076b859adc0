using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.Testing;

/// <summary>
/// A registry v2 container of the offline registry image (Debian's docker-registry) on a free loopback port in
/// 5100-5199, removed with its data on dispose. Containers are named <c>ospub-registry-&lt;id&gt;</c>; each has a bridge
/// network of the same name, so it does not depend on the engine's default bridge.
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    /// <summary>The registry image.</summary>
    public const string Image = "openshell-offline/registry:2";

    private readonly IDockerClient _docker;

    private TestRegistry(IDockerClient docker, string name, int port)
    {
        _docker = docker;
        Name = name;
        Port = port;
    }

    /// <summary>The container's name.</summary>
    public string Name { get; }

    /// <summary>The loopback port the registry listens on.</summary>
    public int Port { get; }

    /// <summary>The registry's host and port, as image references name it.</summary>
    public string Host => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts a registry and waits until <c>/v2/</c> answers.</summary>
    public static async Task<TestRegistry> StartAsync(IDockerClient docker)
    {
        ArgumentNullException.ThrowIfNull(docker);
        var name = $"ospub-registry-{Guid.NewGuid():N}"[..27];
        await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = name, Driver = "bridge" });
        for (var attempt = 0; ; attempt++)
        {
            var port = 5100 + Random.Shared.Next(100);
            var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = name,
                Image = Image,
                ExposedPorts = new Dictionary<string, EmptyStruct> { ["5000/tcp"] = default },
                HostConfig = new HostConfig
                {
                    NetworkMode = name,
                    PortBindings = new Dictionary<string, IList<PortBinding>> { ["5000/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = port.ToString(CultureInfo.InvariantCulture) }] },
                },
            });
            try
            {
                await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            }
            catch (DockerApiException) when (attempt < 10)
            {
                // The port is taken: try another.
                await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
                continue;
            }

            var registry = new TestRegistry(docker, name, port);
            await registry.WaitAsync();
            return registry;
        }
    }

    /// <summary>
    /// Uploads a small image (a configuration blob naming <paramref name="architecture"/>, no layers) under
    /// <paramref name="repository"/>:<paramref name="tag"/> with plain HTTP calls, and returns its manifest digest.
    /// </summary>
    public async Task<string> UploadTinyImageAsync(string repository, string tag, string architecture)
    {
        using var http = new HttpClient();
        var config = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"architecture":"{{architecture}}","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"{{tag}}"}]}""");
        var configDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(config));
        using var start = await http.PostAsync(new Uri($"http://{Host}/v2/{repository}/blobs/uploads/"), null);
        start.EnsureSuccessStatusCode();
        var location = start.Headers.Location!;
        var upload = location.IsAbsoluteUri ? location : new Uri(new Uri($"http://{Host}"), location);
        var separator = upload.Query.Length > 0 ? "&" : "?";
        using var body = new ByteArrayContent(config);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = await http.PutAsync(new Uri($"{upload}{separator}digest={Uri.EscapeDataString(configDigest)}"), body);
        put.EnsureSuccessStatusCode();

        var manifest = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":{{config.Length}},"digest":"{{configDigest}}"},"layers":[]}""");
        using var manifestBody = new ByteArrayContent(manifest);
        manifestBody.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.docker.distribution.manifest.v2+json");
        using var stored = await http.PutAsync(new Uri($"http://{Host}/v2/{repository}/manifests/{tag}"), manifestBody);
        stored.EnsureSuccessStatusCode();
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _docker.Containers.RemoveContainerAsync(Name, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
        }
        catch (DockerContainerNotFoundException)
        {
        }

        try
        {
            await _docker.Networks.DeleteNetworkAsync(Name);
        }
        catch (DockerNetworkNotFoundException)
        {
        }
    }

    private async Task WaitAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 80; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{Host}/v2/"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"the test registry {Name} on {Host} did not answer");
    }
}
