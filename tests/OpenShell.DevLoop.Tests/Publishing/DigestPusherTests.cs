using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>Pushing an engine image by digest only, into a registry container.</summary>
public sealed class DigestPusherTests
{
    [RequiresDocker]
    public async Task An_image_pushed_by_digest_has_no_tag_resolves_by_digest_and_is_not_uploaded_twice()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        using var work = new TempDirectory("digest-push");
        await using var registry = await TestRegistry.StartAsync(docker);
        using var client = new RegistryClient(RegistryEndpoint.For(registry.Host));
        const string repository = "demo/openshell-gateway";
        var image = $"{OfflineImages.Debian}-arm64";
        var layers = work.Combine("layers");

        var first = await DigestPusher.PushAsync(docker, image, client, repository, layers, NullLogger.Instance);

        Assert.Empty(await client.ListTagsAsync(repository));
        var served = await client.GetManifestAsync(repository, first.Manifest.Digest);
        Assert.NotNull(served);
        Assert.Equal(ManifestMediaTypes.DockerManifest, served.MediaType);
        Assert.True(first.LayersPushed > 0);
        Assert.Equal(0, first.LayersReused);
        Assert.True(first.BytesPushed > 0);
        using (var json = JsonDocument.Parse(served.Content))
        {
            var config = json.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
            Assert.Equal((await docker.Images.InspectImageAsync(image)).ID, config);
            await using var blob = await client.OpenBlobAsync(repository, config);
            using var configJson = await JsonDocument.ParseAsync(blob);
            Assert.Equal("arm64", configJson.RootElement.GetProperty("architecture").GetString());
        }

        // The layers are real gzip blobs of the image's files: the arm64 /usr/bin/true is an AArch64 ELF.
        var files = await ImageFiles.ReadPushedAsync(client, repository, served, "usr/bin/true");
        Assert.Equal(183, ImageFiles.ElfMachine(files["usr/bin/true"]));

        // Again: the records say which blobs the registry has, so nothing is exported or uploaded.
        var second = await DigestPusher.PushAsync(docker, image, client, repository, layers, NullLogger.Instance);
        Assert.Equal(first.Manifest.Digest, second.Manifest.Digest);
        Assert.Equal((0L, 0, first.LayersPushed), (second.BytesPushed, second.LayersPushed, second.LayersReused));

        // Without the records the image is exported and compressed again; the same bytes are found in the registry.
        Directory.Delete(layers, recursive: true);
        var third = await DigestPusher.PushAsync(docker, image, client, repository, layers, NullLogger.Instance);
        Assert.Equal(first.Manifest.Digest, third.Manifest.Digest);
        Assert.Equal((0L, 0, first.LayersPushed), (third.BytesPushed, third.LayersPushed, third.LayersReused));
        Assert.Empty(await client.ListTagsAsync(repository));
        Assert.Empty(Directory.GetDirectories(layers));
    }
}
