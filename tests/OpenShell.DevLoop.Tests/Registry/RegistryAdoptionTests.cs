using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Registry;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Registry;

/// <summary>Replacing a registry container left by OpenShell's scripts keeps its images (real engine, offline registry image).</summary>
public sealed class RegistryAdoptionTests
{
    private const string Image = "openshell-offline/registry:2";

    [RequiresDocker]
    public async Task An_upstream_registry_is_replaced_after_its_images_are_merged_into_the_named_volume()
    {
        using var docker = DockerEngine.CreateClient();
        var id = Guid.NewGuid().ToString("N")[..10];
        var settings = Settings(id);
        var network = $"openshell-test-{id}";
        string? anonymousVolume = null;
        try
        {
            // As OpenShell's script starts it: registry:2, -p 5000:5000 (all interfaces), anonymous volume.
            var old = await StartUpstreamStyleRegistryAsync(docker, settings.Registry);
            anonymousVolume = (await docker.Containers.InspectContainerAsync(old)).Mounts.Single(m => m.Destination == "/var/lib/registry").Name;
            await PutFilesAsync(docker, old, "/var/lib/registry", new()
            {
                ["docker/registry/v2/repositories/old/_manifests/tags/dev/current/link"] = "from-old",
                ["docker/registry/v2/blobs/sha256/aa/shared/data"] = "from-old",
            });
            // The named volume already holds images of its own; they must win.
            await SeedVolumeAsync(docker, settings.Registry.VolumeName, new()
            {
                ["docker/registry/v2/blobs/sha256/aa/shared/data"] = "ours",
                ["docker/registry/v2/repositories/mine/_manifests/tags/dev/current/link"] = "ours",
            });
            var log = new RecordingLogger();

            await LocalRegistryContainer.EnsureAsync(docker, settings, network, log);

            var replacement = await docker.Containers.InspectContainerAsync(settings.Registry.ContainerName);
            Assert.NotEqual(old, replacement.ID);
            var bindings = replacement.HostConfig.PortBindings["5000/tcp"];
            Assert.All(bindings, b => Assert.Equal("127.0.0.1", b.HostIP));
            Assert.Equal(settings.Registry.VolumeName, replacement.Mounts.Single(m => m.Destination == "/var/lib/registry").Name);
            var files = await ReadFilesAsync(docker, replacement.ID, "/var/lib/registry");
            Assert.Equal("from-old", files["docker/registry/v2/repositories/old/_manifests/tags/dev/current/link"]);
            Assert.Equal("ours", files["docker/registry/v2/blobs/sha256/aa/shared/data"]);
            Assert.Equal("ours", files["docker/registry/v2/repositories/mine/_manifests/tags/dev/current/link"]);

            // The old anonymous volume is kept, untouched, and the log says so.
            var kept = await ReadVolumeAsync(docker, anonymousVolume);
            Assert.Equal("from-old", kept["docker/registry/v2/blobs/sha256/aa/shared/data"]);
            Assert.Contains(log.Lines, l => l.Contains("every network interface", StringComparison.Ordinal));
            Assert.Contains(log.Lines, l => l.Contains($"copied 1 file(s) of its images from {anonymousVolume}", StringComparison.Ordinal)
                && l.Contains($"docker volume rm {anonymousVolume}", StringComparison.Ordinal));
        }
        finally
        {
            await CleanUpAsync(docker, settings.Registry, network, anonymousVolume);
        }
    }

    [RequiresDocker]
    public async Task When_the_copy_fails_the_old_registry_is_left_running()
    {
        using var docker = DockerEngine.CreateClient();
        var id = Guid.NewGuid().ToString("N")[..10];
        var settings = Settings(id);
        string? anonymousVolume = null;
        try
        {
            var old = await StartUpstreamStyleRegistryAsync(docker, settings.Registry);
            anonymousVolume = (await docker.Containers.InspectContainerAsync(old)).Mounts.Single(m => m.Destination == "/var/lib/registry").Name;
            await PutFilesAsync(docker, old, "/var/lib/registry", new() { ["docker/registry/v2/blobs/data"] = "from-old" });
            // A file where the old registry has a folder: the copy cannot create it and fails.
            await SeedVolumeAsync(docker, settings.Registry.VolumeName, new() { ["docker"] = "a file in the way" });

            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                RegistryContainerCheck.EnsureUsableAsync(docker, settings.Registry, Image));

            Assert.Contains("The old registry container was left in place", ex.Message, StringComparison.Ordinal);
            Assert.Contains(anonymousVolume, ex.Message, StringComparison.Ordinal);

            var after = await docker.Containers.InspectContainerAsync(old);
            Assert.True(after.State.Running);
        }
        finally
        {
            await CleanUpAsync(docker, settings.Registry, null, anonymousVolume);
        }
    }

    private static OpenShellSettings Settings(string id) =>
        OpenShellSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenShell:Images:Registry"] = Image,
            ["OpenShell:Registry:ContainerName"] = $"openshell-test-registry-{id}",
            ["OpenShell:Registry:VolumeName"] = $"openshell-test-registry-{id}",
            ["OpenShell:Registry:HostPort"] = OpenShell.DevLoop.Cluster.GatewayPortStore.PickFreePort(Random.Shared).ToString(CultureInfo.InvariantCulture),
        }).Build(), new Dictionary<string, string?>());

    private static async Task<string> StartUpstreamStyleRegistryAsync(IDockerClient docker, RegistrySettings registry)
    {
        var port = registry.HostPort.ToString(CultureInfo.InvariantCulture);
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = registry.ContainerName,
            Image = Image,
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["5000/tcp"] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>> { ["5000/tcp"] = [new PortBinding { HostPort = port }] },
            },
        });
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return created.ID;
    }

    private static async Task SeedVolumeAsync(IDockerClient docker, string volume, Dictionary<string, string> files)
    {
        await docker.Volumes.CreateAsync(new VolumesCreateParameters { Name = volume });
        var holder = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            HostConfig = new HostConfig { Mounts = [new Mount { Type = "volume", Source = volume, Target = "/data" }] },
        });
        try
        {
            await PutFilesAsync(docker, holder.ID, "/data", files);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(holder.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private static async Task<Dictionary<string, string>> ReadVolumeAsync(IDockerClient docker, string volume)
    {
        var holder = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            HostConfig = new HostConfig { Mounts = [new Mount { Type = "volume", Source = volume, Target = "/data", ReadOnly = true }] },
        });
        try
        {
            return await ReadFilesAsync(docker, holder.ID, "/data");
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(holder.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private static async Task PutFilesAsync(IDockerClient docker, string container, string folder, Dictionary<string, string> files)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, text) in files)
            {
                var parts = path.Split('/');
                for (var i = 1; i < parts.Length; i++)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, string.Join('/', parts[..i]) + "/") { Mode = (UnixFileMode)0x1ED });
                }

                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)0x1A4 });
            }
        }

        tar.Position = 0;
        await docker.Containers.ExtractArchiveToContainerAsync(container, new ContainerPathStatParameters { Path = folder }, tar);
    }

    private static async Task<Dictionary<string, string>> ReadFilesAsync(IDockerClient docker, string container, string folder)
    {
        var archive = await docker.Containers.GetArchiveFromContainerAsync(container, new GetArchiveFromContainerParameters { Path = folder + "/." }, statOnly: false);
        // Buffered: the engine's chunked stream does not survive the tar reader's seeks between entries.
        using var buffer = new MemoryStream();
        using (var stream = archive.Stream)
        {
            await stream.CopyToAsync(buffer);
        }

        buffer.Position = 0;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = new TarReader(buffer);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.EntryType == TarEntryType.RegularFile && entry.DataStream is { } data)
            {
                using var text = new StreamReader(data);
                var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                files[name] = await text.ReadToEndAsync();
            }
        }

        return files;
    }

    private static async Task CleanUpAsync(IDockerClient docker, RegistrySettings registry, string? network, string? anonymousVolume)
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(registry.ContainerName, new ContainerRemoveParameters { Force = true });
        }
        catch (DockerContainerNotFoundException)
        {
        }

        foreach (var volume in new[] { registry.VolumeName, anonymousVolume }.OfType<string>())
        {
            try
            {
                await docker.Volumes.RemoveAsync(volume, force: true);
            }
            catch (DockerApiException)
            {
            }
        }

        if (network is not null)
        {
            try
            {
                await docker.Networks.DeleteNetworkAsync(network);
            }
            catch (DockerApiException)
            {
            }
        }
    }
}
