using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

/// <summary>The assembled gateway image against a real registry and engine: it runs as the Dockerfile's image does, and an edit pushes one layer.</summary>
public sealed class AppImageRegistryTests
{
    private const string BaseImage = "openshell-offline/debian:bookworm";

    [RequiresDocker]
    public async Task The_assembled_image_runs_like_the_dockerfiles_and_an_edit_pushes_one_layer_and_a_config()
    {
        using var docker = DockerEngine.CreateClient();
        await using var registryContainer = await TestRegistry.StartAsync(docker);
        using var registry = new RegistryClient(RegistryEndpoint.For(registryContainer.Host));
        var id = Guid.NewGuid().ToString("N")[..10];
        var reference = ImageReference.Parse($"{registryContainer.Host}/osapp-{id}/gateway:dev");
        var repository = GatewayImageBuilder.RepositoryOf(reference.ToString());
        using var publish = new TempDirectory("osapp-publish");
        using var layers = new TempDirectory("osapp-layers");
        await File.WriteAllTextAsync(publish.Combine("openshell-server"),
            "#!/bin/sh\necho \"args: $*\"\necho \"user: $(id -u):$(id -g)\"\necho \"app: $(cat /opt/openshell/server/OpenShell.Version.txt)\"\necho \"runtime: $(cat /opt/openshell/server/System.Runtime.dll)\"\n");
        File.SetUnixFileMode(publish.Combine("openshell-server"), (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(publish.Combine("OpenShell.Version.txt"), "one");
        await File.WriteAllTextAsync(publish.Combine("System.Runtime.dll"), "runtime");
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, GatewayImageBuilder.DockerfilePath));
        var copy = AppCopyInstruction.Find(dockerfile)!;
        var labels = new Dictionary<string, string> { [GatewayImageBuilder.FingerprintLabel] = "fingerprint-1" };
        var legacy = $"{repository}:legacy";
        try
        {
            var baseImage = await AppImageAssembler.EnsureBaseAsync(docker, registry, reference, publish.Path, copy, BaseImage, layers.Path, NullLogger.Instance);
            var first = await AppImageAssembler.PushAsync(registry, await AppImageAssembler.AssembleAsync(baseImage, publish.Path, copy, reference, labels), NullLogger.Instance);

            Assert.True(first.Pushed);
            Assert.Equal((1, baseImage.Layers.Count), (first.LayersPushed, first.LayersReused));
            Assert.Equal(first.Digest, await GatewayImageBuilder.HeadDigestAsync(reference));
            var run = await RunAsync(first.Pinned);
            Assert.Contains("args: --port 8080 --version", run, StringComparison.Ordinal);
            Assert.Contains("user: 10001:10001", run, StringComparison.Ordinal);
            Assert.Contains("app: one", run, StringComparison.Ordinal);
            Assert.Contains("runtime: runtime", run, StringComparison.Ordinal);

            // The configuration is the one the whole Dockerfile gives, built by the engine from the same files.
            await GatewayImageBuilder.BuildAsync(docker, RepositoryPaths.Root, publish.Path, legacy, BaseImage, NullLogger.Instance);
            var expected = (await docker.Images.InspectImageAsync(legacy)).Config;
            var actual = (await docker.Images.InspectImageAsync(first.Pinned)).Config;
            Assert.Equal(expected.User, actual.User);
            Assert.Equal(expected.Entrypoint, actual.Entrypoint);
            Assert.Equal(expected.Cmd, actual.Cmd);
            Assert.Equal(expected.Env, actual.Env);
            Assert.Equal(expected.WorkingDir, actual.WorkingDir);
            Assert.Equal(expected.ExposedPorts.Keys.Order(), actual.ExposedPorts.Keys.Order());
            Assert.Equal(expected.Healthcheck.Test, actual.Healthcheck.Test);
            Assert.Equal("fingerprint-1", actual.Labels[GatewayImageBuilder.FingerprintLabel]);
            Assert.Equal(repository, actual.Labels[GatewayImageBuilder.RepositoryLabel]);

            // The same publish again: the base is found in the registry, the digest is the same, nothing is pushed.
            var again = await AppImageAssembler.EnsureBaseAsync(docker, registry, reference, publish.Path, copy, BaseImage, layers.Path, NullLogger.Instance);
            Assert.Equal(baseImage.Manifest.Digest, again.Manifest.Digest);
            var same = await AppImageAssembler.PushAsync(registry, await AppImageAssembler.AssembleAsync(again, publish.Path, copy, reference, labels), NullLogger.Instance);
            Assert.False(same.Pushed);
            Assert.Equal(first.Digest, same.Digest);

            // An edit of the app: one layer and a configuration go up, the base's layers stay.
            await File.WriteAllTextAsync(publish.Combine("OpenShell.Version.txt"), "two");
            var edited = await AppImageAssembler.AssembleAsync(
                await AppImageAssembler.EnsureBaseAsync(docker, registry, reference, publish.Path, copy, BaseImage, layers.Path, NullLogger.Instance), publish.Path, copy, reference, labels);
            var changed = await AppImageAssembler.PushAsync(registry, edited, NullLogger.Instance);
            Assert.True(changed.Pushed);
            Assert.NotEqual(first.Digest, changed.Digest);
            Assert.Equal((1, baseImage.Layers.Count), (changed.LayersPushed, changed.LayersReused));
            Assert.Equal(edited.Layer.Size + edited.Config.Length, changed.BytesPushed);
            Assert.Equal(changed.Digest, await GatewayImageBuilder.HeadDigestAsync(reference));
            Assert.Contains("app: two", await RunAsync(changed.Pinned), StringComparison.Ordinal);
        }
        finally
        {
            var images = await docker.Images.ListImagesAsync(new ImagesListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [$"{repository}*"] = true } },
            });
            var labelled = await docker.Images.ListImagesAsync(new ImagesListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{GatewayImageBuilder.RepositoryLabel}={repository}"] = true } },
            });
            foreach (var image in images.Concat(labelled).Select(i => i.ID).Distinct())
            {
                try
                {
                    await docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
                }
                catch (DockerApiException)
                {
                }
            }
        }
    }

    private static async Task<string> RunAsync(string image) =>
        (await TestProcess.RunAsync("docker", ["run", "--rm", "--network", "none", image, "--version"], timeout: TimeSpan.FromMinutes(2))).EnsureSuccess($"docker run {image}").Stdout;
}
