using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Publishing;
using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>
/// The whole publish on the real engine, offline bases and a registry container: both architectures from two synthetic
/// bundles whose binaries are real ELF files of their architecture (copied out of the offline Debian images).
/// </summary>
public sealed class MultiArchPublisherTests(ITestOutputHelper output)
{
    [RequiresDocker]
    public async Task Both_architectures_are_published_as_one_list_per_image_and_a_second_publish_uploads_nothing()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        using var work = new TempDirectory("publish");
        var bundles = new Dictionary<string, string>
        {
            ["OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64"] = await PackBundleAsync(docker, work, BundleArchitecture.Amd64),
            ["OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64"] = await PackBundleAsync(docker, work, BundleArchitecture.Arm64),
        };
        await using var registry = await TestRegistry.StartAsync(docker);
        var target = PublishTarget.From($"{registry.Host}/demo", "t1", "linux/amd64,linux/arm64", tagLatest: true, extraTags: "extra1, t1");
        var request = Request(target, bundles, work);
        try
        {
            await PublishTwiceAsync(docker, registry, request);
        }
        finally
        {
            await RemoveLocalImagesAsync(docker, $"{registry.Host}/demo/*");
        }
    }

    private async Task PublishTwiceAsync(IDockerClient docker, TestRegistry registry, PublishRequest request)
    {
        var first = await MultiArchPublisher.RunAsync(docker, request, NullLogger.Instance);

        using var client = new RegistryClient(RegistryEndpoint.For(registry.Host));
        const string cluster = "demo/openshell-cluster";
        var list = await client.GetManifestAsync(cluster, "t1");
        Assert.NotNull(list);
        Assert.Equal(ManifestMediaTypes.DockerManifestList, list.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64"], ManifestList.Platforms(list.Content));
        Assert.Equal(["extra1", "latest", "t1", "t1-amd64", "t1-arm64"], (await client.ListTagsAsync(cluster)).Order(StringComparer.Ordinal));
        Assert.Equal(list.Digest, (await client.GetManifestAsync(cluster, "latest"))!.Digest);
        Assert.Equal(list.Digest, (await client.GetManifestAsync(cluster, "extra1"))!.Digest);
        const string gateway = "demo/openshell-gateway";
        var gatewayList = await client.GetManifestAsync(gateway, "t1");
        Assert.Equal(["linux/amd64", "linux/arm64"], ManifestList.Platforms(gatewayList!.Content));
        Assert.Equal(gatewayList.Digest, (await client.GetManifestAsync(gateway, "latest"))!.Digest);

        // The per-architecture gateway images are pushed by digest only, as upstream pushes no per-architecture gateway tags.
        Assert.Equal(["extra1", "latest", "t1"], (await client.ListTagsAsync(gateway)).Order(StringComparer.Ordinal));
        using (var json = JsonDocument.Parse(gatewayList.Content))
        {
            foreach (var (entry, arch) in json.RootElement.GetProperty("manifests").EnumerateArray().Zip(["amd64", "arm64"]))
            {
                var manifest = await client.GetManifestAsync(gateway, entry.GetProperty("digest").GetString()!);
                Assert.Equal(entry.GetProperty("size").GetInt64(), manifest!.Size);
                Assert.Equal(arch, await ConfigArchitectureAsync(client, gateway, manifest));
                Assert.Contains(first.Images, i => i.Reference == $"{registry.Host}/{gateway}@{manifest.Digest}" && i.Architecture == arch);
            }
        }

        // Every pushed reference is reported with the digest the registry serves for it.
        foreach (var reference in first.References)
        {
            var parsed = ImageReference.Parse(reference.Reference);
            Assert.Equal((await client.GetManifestAsync(parsed.Repository, parsed.Digest ?? parsed.Tag))!.Digest, reference.Digest);
        }

        Assert.Equal(10, first.References.Count);

        using (var json = JsonDocument.Parse(list.Content))
        {
            foreach (var (entry, arch) in json.RootElement.GetProperty("manifests").EnumerateArray().Zip(["amd64", "arm64"]))
            {
                var manifest = await client.GetManifestAsync(cluster, entry.GetProperty("digest").GetString()!);
                Assert.Equal(entry.GetProperty("size").GetInt64(), manifest!.Size);
                Assert.Equal(arch, await ConfigArchitectureAsync(client, cluster, manifest));
                var files = await ImageFiles.ReadPushedAsync(client, cluster, manifest,
                    "opt/openshell/bin/openshell-sandbox", "usr/bin/nvidia-ctk", "opt/openshell/manifests/openshell-helmchart.yaml");
                var machine = arch == "arm64" ? 183 : 62;
                Assert.Equal(machine, ImageFiles.ElfMachine(files["opt/openshell/bin/openshell-sandbox"]));
                Assert.Equal(machine, ImageFiles.ElfMachine(files["usr/bin/nvidia-ctk"]));
                // The chart defaults pull the published gateway.
                var helmChart = Encoding.UTF8.GetString(files["opt/openshell/manifests/openshell-helmchart.yaml"]);
                Assert.Contains($"repository: {registry.Host}/demo/openshell-gateway", helmChart, StringComparison.Ordinal);
                Assert.Contains("tag: \"t1\"", helmChart, StringComparison.Ordinal);
            }
        }

        Assert.All(first.Images, i => Assert.True(i.LayersPushed + i.LayersReused > 0));
        Assert.True(first.BytesPushed > 0);

        var second = await MultiArchPublisher.RunAsync(docker, request, NullLogger.Instance);
        output.WriteLine($"first publish {first.TotalSeconds:F1}s, {first.BytesPushed} bytes uploaded; second {second.TotalSeconds:F1}s, {second.BytesPushed} bytes uploaded");

        // Unchanged sources, bundles and bases: the release supervisor is reused, no image changes, and every layer is
        // already in the registry. (A commit in between would change the supervisor, whose release build carries the
        // commit in its version.)
        Assert.All(second.Images, i => Assert.True(i.LayersPushed == 0, $"{i.Reference} uploaded {i.LayersPushed} layers ({i.BytesPushed} bytes)"));
        Assert.Equal(0, second.BytesPushed);
        Assert.Equal(first.References.Select(r => (r.Reference, r.Digest)), second.References.Select(r => (r.Reference, r.Digest)));
    }

    public static TheoryData<string, string> BadArm64Bundles => new()
    {
        { "unset", "missing required variable: OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64" },
        { "no-file", "runtime bundle validation failed: tarball not found: " },
        { "amd64-bundle", "runtime bundle validation failed: bundle architecture mismatch: expected arm64, got amd64" },
        { "not-a-tarball", "runtime bundle validation failed: tar extraction reported warnings or errors" },
    };

    [RequiresDockerTheory]
    [MemberData(nameof(BadArm64Bundles))]
    public async Task A_bad_arm64_bundle_pushes_nothing_at_all(string arm64, string message)
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        using var work = new TempDirectory("publish-bad");
        var amd64 = await PackBundleAsync(docker, work, BundleArchitecture.Amd64);
        var bundles = new Dictionary<string, string> { ["OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64"] = amd64 };
        switch (arm64)
        {
            case "no-file":
                bundles["OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64"] = work.Combine("missing.tar.gz");
                break;
            case "amd64-bundle":
                bundles["OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64"] = amd64;
                break;
            case "not-a-tarball":
                await File.WriteAllTextAsync(work.Combine("junk.tar.gz"), "not a tarball");
                bundles["OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64"] = work.Combine("junk.tar.gz");
                break;
        }

        await using var registry = await TestRegistry.StartAsync(docker);
        var request = Request(PublishTarget.From($"{registry.Host}/demo", "bad", "linux/amd64,linux/arm64", tagLatest: true, extraTags: null), bundles, work);

        var error = await Assert.ThrowsAsync<RuntimeBundleException>(() => MultiArchPublisher.RunAsync(docker, request, NullLogger.Instance));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        using var client = new RegistryClient(RegistryEndpoint.For(registry.Host));
        Assert.Empty(await client.CatalogAsync());
    }

    // The per-architecture images the publish built stay in the engine under the test registry's name: remove them.
    private static async Task RemoveLocalImagesAsync(IDockerClient docker, string reference)
    {
        var images = await docker.Images.ListImagesAsync(new global::Docker.DotNet.Models.ImagesListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [reference] = true } },
        });
        foreach (var tag in images.SelectMany(i => i.RepoTags ?? []))
        {
            try
            {
                await docker.Images.DeleteImageAsync(tag, new global::Docker.DotNet.Models.ImageDeleteParameters { Force = true });
            }
            catch (DockerApiException)
            {
            }
        }
    }

    private static PublishRequest Request(PublishTarget target, Dictionary<string, string> bundles, TempDirectory work) =>
        new(RepositoryPaths.Root, target)
        {
            K3sImage = OfflineImages.K3s,
            ClusterBase = OfflineImages.ClusterBase,
            GatewayBase = OfflineImages.Debian,
            BundleVariable = name => bundles.GetValueOrDefault(name),
            WorkDirectory = work.Combine("publish"),
            // The release supervisors the cluster image tests keep: an unchanged one is not linked again.
            SupervisorCache = TestCaches.ReleaseSupervisors,
        };

    private static async Task<string> ConfigArchitectureAsync(RegistryClient client, string repository, RegistryManifest manifest)
    {
        using var json = JsonDocument.Parse(manifest.Content);
        await using var blob = await client.OpenBlobAsync(repository, json.RootElement.GetProperty("config").GetProperty("digest").GetString()!);
        using var config = await JsonDocument.ParseAsync(blob);
        return config.RootElement.GetProperty("architecture").GetString()!;
    }

    /// <summary>A bundle whose tools are the architecture's /usr/bin/true and whose library is its libz, from the offline Debian image.</summary>
    private static async Task<string> PackBundleAsync(IDockerClient docker, TempDirectory work, string arch)
    {
        var image = arch == BundleArchitecture.Arm64 ? $"{OfflineImages.Debian}-arm64" : OfflineImages.Debian;
        var triple = arch == BundleArchitecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        var tool = await ImageFiles.ReadAsync(docker, image, "/usr/bin/true");
        var library = await ImageFiles.ReadAsync(docker, image, $"/usr/lib/{triple}/libz.so.1");
        Assert.Equal(arch == BundleArchitecture.Arm64 ? 183 : 62, ImageFiles.ElfMachine(tool));

        var root = work.Combine($"root-{arch}");
        Directory.CreateDirectory(Path.Combine(root, "usr", "bin"));
        foreach (var name in new[] { "nvidia-cdi-hook", "nvidia-container-runtime", "nvidia-container-runtime-hook", "nvidia-container-cli", "nvidia-ctk" })
        {
            var path = Path.Combine(root, "usr", "bin", name);
            await File.WriteAllBytesAsync(path, tool);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        Directory.CreateDirectory(Path.Combine(root, "etc", "nvidia-container-runtime"));
        await File.WriteAllTextAsync(Path.Combine(root, "etc", "nvidia-container-runtime", "config.toml"), "# test bundle\n");
        var lib = Directory.CreateDirectory(Path.Combine(root, "usr", "lib", triple)).FullName;
        await File.WriteAllBytesAsync(Path.Combine(lib, "libnvidia-container.so.1.0.0"), library);
        File.CreateSymbolicLink(Path.Combine(lib, "libnvidia-container.so.1"), "libnvidia-container.so.1.0.0");

        var tarball = work.Combine($"bundle-{arch}.tar.gz");
        await RuntimeBundlePacker.PackAsync(root, arch, tarball, "openshell-gpu-runtime-test", "0.1.0");
        return tarball;
    }
}
