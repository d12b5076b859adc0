using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Docker;

/// <summary>Pulls through the real engine from a registry on 127.0.0.1 (this machine reaches no other registry).</summary>
public sealed class ImagePullerTests
{
    private const string RegistryImage = "openshell-offline/registry:2";
    private const string BaseImage = "openshell-offline/debian:bookworm";

    [RequiresDocker]
    public async Task A_missing_image_is_pulled_with_progress_and_the_gateway_build_pulls_its_base()
    {
        using var docker = DockerEngine.CreateClient();
        var id = Guid.NewGuid().ToString("N")[..10];
        var port = OpenShell.DevLoop.Cluster.GatewayPortStore.PickFreePort(Random.Shared).ToString(CultureInfo.InvariantCulture);
        var registryName = $"openshell-test-pull-{id}";
        var image = $"127.0.0.1:{port}/pulltest/base:{id}";
        var gatewayTag = $"openshell-test/pull-gateway:{id}";
        try
        {
            await StartRegistryAsync(docker, registryName, port);
            // An image with a layer of its own, pushed and then removed locally: the pull must download that layer.
            await BuildUniqueImageAsync(docker, image, id);
            await PushAsync(docker, image);
            await docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
            Assert.False(await ImagePuller.IsPresentAsync(docker, image));
            var reports = new List<ImagePullProgress>();
            var log = new RecordingLogger();

            var pulled = await ImagePuller.EnsurePresentAsync(docker, image, log, new SyncProgress(reports.Add), DockerCredentials.None);

            Assert.True(pulled);
            Assert.True(await ImagePuller.IsPresentAsync(docker, image));
            var last = reports[^1];
            Assert.True(last.LayersTotal >= 1 && last.LayersDone == last.LayersTotal, $"last report {last}");
            Assert.Contains(reports, r => r.BytesTotal > 0 && r.Status.Contains("Downloading", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.StartsWith($"Pulling image {image} from 127.0.0.1:{port} (anonymously)", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.StartsWith($"pulling {image}: 100%", StringComparison.Ordinal));
            Assert.False(await ImagePuller.EnsurePresentAsync(docker, image, log, credentials: DockerCredentials.None));

            // The gateway image build pulls the base it names before building on it.
            await docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
            using var publish = new TempDirectory("gateway-publish");
            await File.WriteAllTextAsync(publish.Combine("openshell-server"), "not a real server");
            await GatewayImageBuilder.BuildAsync(docker, RepositoryPaths.Root, publish.Path, gatewayTag, image, log);
            Assert.True(await ImagePuller.IsPresentAsync(docker, image));
            Assert.True(await ImagePuller.IsPresentAsync(docker, gatewayTag));
        }
        finally
        {
            foreach (var tag in new[] { gatewayTag, image })
            {
                try
                {
                    await docker.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
                }
                catch (DockerApiException)
                {
                }
            }

            try
            {
                await docker.Containers.RemoveContainerAsync(registryName, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
            catch (DockerContainerNotFoundException)
            {
            }
        }
    }

    [RequiresDocker]
    public async Task An_unreachable_registry_fails_with_the_image_the_registry_and_the_fix()
    {
        using var docker = DockerEngine.CreateClient();
        var port = OpenShell.DevLoop.Cluster.GatewayPortStore.PickFreePort(Random.Shared).ToString(CultureInfo.InvariantCulture);
        var image = $"127.0.0.1:{port}/nothing/here:1";

        var ex = await Assert.ThrowsAsync<ImagePullException>(() => ImagePuller.EnsurePresentAsync(docker, image, credentials: DockerCredentials.None));

        Assert.Equal(image, ex.Image);
        Assert.Equal($"127.0.0.1:{port}", ex.Registry);
        Assert.StartsWith($"Pulling image {image} from registry 127.0.0.1:{port} failed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("docker login 127.0.0.1:" + port, ex.Message, StringComparison.Ordinal);
    }

    private static async Task StartRegistryAsync(IDockerClient docker, string name, string port)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = RegistryImage,
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

    private static async Task BuildUniqueImageAsync(IDockerClient docker, string tag, string id)
    {
        using var context = new MemoryStream();
        await using (var writer = new TarWriter(context, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile") { DataStream = new MemoryStream(Encoding.ASCII.GetBytes($"FROM {BaseImage}\nCOPY marker /marker\n")) });
            // Incompressible and a few MB: a layer that compresses to a kilobyte arrives before the engine reports any
            // "Downloading" progress, and the test would then see none.
            var marker = new byte[4 * 1024 * 1024];
            System.Security.Cryptography.RandomNumberGenerator.Fill(marker);
            Encoding.ASCII.GetBytes(id).CopyTo(marker, 0);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "marker") { DataStream = new MemoryStream(marker) });
        }

        context.Position = 0;
        string? error = null;
        await docker.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters { Dockerfile = "Dockerfile", Tags = [tag], Remove = true, ForceRemove = true },
            context, null, null, new SyncProgress<JSONMessage>(m => error ??= m.Error?.Message ?? m.ErrorMessage));
        Assert.Null(error);
    }

    private static async Task PushAsync(IDockerClient docker, string image)
    {
        var reference = ImageReference.Parse(image);
        string? error = null;
        await docker.Images.PushImageAsync($"{reference.Registry}/{reference.Repository}", new ImagePushParameters { Tag = reference.Tag }, new AuthConfig(),
            new SyncProgress<JSONMessage>(m => error ??= m.Error?.Message ?? m.ErrorMessage));
        Assert.Null(error);
    }

    private sealed class SyncProgress(Action<ImagePullProgress> report) : IProgress<ImagePullProgress>
    {
        public void Report(ImagePullProgress value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
