using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Builders;

/// <summary>The gateway's push is decided by content, not by the image id or manifest digest (real engine and registry).</summary>
public sealed class GatewayImagePushTests
{
    private const string BaseImage = "openshell-offline/debian:bookworm";

    [RequiresDocker]
    public async Task A_rebuild_of_the_same_content_keeps_the_registry_digest_and_a_change_pushes_a_new_one()
    {
        using var docker = DockerEngine.CreateClient();
        var id = Guid.NewGuid().ToString("N")[..10];
        var port = OpenShell.DevLoop.Cluster.GatewayPortStore.PickFreePort(Random.Shared).ToString(CultureInfo.InvariantCulture);
        var registry = $"openshell-test-push-{id}";
        var tag = $"127.0.0.1:{port}/openshell/gateway-{id}:dev";
        using var publish = new TempDirectory("gateway-publish");
        await File.WriteAllTextAsync(publish.Combine("openshell-server"), "build one");
        await File.WriteAllTextAsync(publish.Combine("System.Runtime.dll"), "runtime");
        try
        {
            await StartRegistryAsync(docker, registry, port);
            var content = await GatewayImageBuilder.BuildAsync(docker, RepositoryPaths.Root, publish.Path, tag, BaseImage, NullLogger.Instance);
            var firstId = (await docker.Images.InspectImageAsync(tag)).ID;
            var first = await GatewayImageBuilder.PushAsync(docker, tag, NullLogger.Instance, null);
            Assert.True(first.Pushed);

            // Without the layer cache the legacy builder makes a new image (new created time, new id) of the same content.
            await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
            Assert.Equal(content, await GatewayImageBuilder.BuildAsync(docker, RepositoryPaths.Root, publish.Path, tag, BaseImage, NullLogger.Instance));
            Assert.NotEqual(firstId, (await docker.Images.InspectImageAsync(tag)).ID);
            var same = await GatewayImageBuilder.PushAsync(docker, tag, NullLogger.Instance, null);

            Assert.False(same.Pushed);
            Assert.Equal(first.Digest, same.Digest);
            Assert.Equal(first.Digest, await GatewayImageBuilder.HeadDigestAsync(ImageReference.Parse(tag)));

            await File.WriteAllTextAsync(publish.Combine("openshell-server"), "build two");
            Assert.NotEqual(content, await GatewayImageBuilder.BuildAsync(docker, RepositoryPaths.Root, publish.Path, tag, BaseImage, NullLogger.Instance));
            var changed = await GatewayImageBuilder.PushAsync(docker, tag, NullLogger.Instance, null);

            Assert.True(changed.Pushed);
            Assert.NotEqual(first.Digest, changed.Digest);
        }
        finally
        {
            try
            {
                await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
            }
            catch (DockerApiException)
            {
            }

            try
            {
                await docker.Containers.RemoveContainerAsync(registry, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
            catch (DockerContainerNotFoundException)
            {
            }
        }
    }

    private static async Task StartRegistryAsync(IDockerClient docker, string name, string port)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = "openshell-offline/registry:2",
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["5000/tcp"] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>> { ["5000/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = port }] },
            },
        });
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 40; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/"));
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

        throw new InvalidOperationException($"the test registry on 127.0.0.1:{port} did not answer");
    }
}
