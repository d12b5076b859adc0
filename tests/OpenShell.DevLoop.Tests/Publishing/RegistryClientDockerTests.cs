using System.Text.Json;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>The registry client against a real registry v2 (Debian's docker-registry in a container).</summary>
public sealed class RegistryClientDockerTests
{
    [RequiresDocker]
    public async Task A_manifest_list_over_two_platforms_is_stored_served_and_copied_to_another_tag_with_the_same_digest()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        await using var registry = await TestRegistry.StartAsync(docker);
        const string repository = "demo/openshell-cluster";
        var amd64Digest = await registry.UploadTinyImageAsync(repository, "dev-amd64", "amd64");
        var arm64Digest = await registry.UploadTinyImageAsync(repository, "dev-arm64", "arm64");
        using var client = new RegistryClient(RegistryEndpoint.For(registry.Host));

        var amd64 = await client.GetManifestAsync(repository, "dev-amd64");
        var arm64 = await client.GetManifestAsync(repository, "dev-arm64");
        Assert.Equal(amd64Digest, amd64!.Digest);
        Assert.Equal(arm64Digest, arm64!.Digest);
        Assert.Equal(ManifestMediaTypes.DockerManifest, amd64.MediaType);
        Assert.Null(await client.GetManifestAsync(repository, "missing"));

        var list = ManifestList.Create([new ManifestListEntry(amd64, "amd64"), new ManifestListEntry(arm64, "arm64")]);
        var listDigest = await client.PutManifestAsync(repository, "dev", ManifestMediaTypes.DockerManifestList, list);
        var served = await client.GetManifestAsync(repository, "dev");
        Assert.Equal(listDigest, served!.Digest);
        Assert.Equal(ManifestMediaTypes.DockerManifestList, served.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64"], ManifestList.Platforms(served.Content));
        using (var json = JsonDocument.Parse(served.Content))
        {
            var first = json.RootElement.GetProperty("manifests")[0];
            Assert.Equal(amd64.Size, first.GetProperty("size").GetInt64());
            Assert.Equal(amd64.Digest, first.GetProperty("digest").GetString());
        }

        Assert.Equal(listDigest, await client.CopyManifestAsync(repository, served, "latest"));
        Assert.Equal(listDigest, (await client.GetManifestAsync(repository, "latest"))!.Digest);
        Assert.Equal(["dev", "dev-amd64", "dev-arm64", "latest"], (await client.ListTagsAsync(repository)).Order(StringComparer.Ordinal));
        Assert.Equal([repository], await client.CatalogAsync());
        Assert.Empty(await client.ListTagsAsync("demo/none"));

        using (var config = JsonDocument.Parse(amd64.Content))
        {
            var configDigest = config.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
            Assert.True(await client.BlobExistsAsync(repository, configDigest));
            await using var blob = await client.OpenBlobAsync(repository, configDigest);
            using var image = await JsonDocument.ParseAsync(blob);
            Assert.Equal("amd64", image.RootElement.GetProperty("architecture").GetString());
        }

        Assert.False(await client.BlobExistsAsync(repository, "sha256:" + new string('a', 64)));

        // A list naming a manifest the registry lacks is refused, with the registry's reason.
        var dangling = ManifestList.Create([new ManifestListEntry(new RegistryManifest("sha256:" + new string('b', 64), ManifestMediaTypes.DockerManifest, amd64.Content), "amd64")]);
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PutManifestAsync(repository, "broken", ManifestMediaTypes.DockerManifestList, dangling));
        Assert.Contains(registry.Host, error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.StatusCode);
    }
}
