using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

/// <summary>
/// A registry stopped in the middle of writing a record (its engine restarted during a push) keeps it empty and answers
/// HTTP 500 for that tag or blob from then on. The next push writes the record again, on the real registry server.
/// </summary>
public sealed class AppImageUnreadableRecordTests
{
    private const string Storage = "/var/lib/registry/docker/registry/v2/repositories";

    public static TheoryData<string> Records => ["tag", "layer", "config"];

    [RequiresDockerTheory]
    [MemberData(nameof(Records))]
    public async Task A_push_after_an_emptied_record_rewrites_it(string record)
    {
        using var docker = DockerEngine.CreateClient();
        await using var container = await TestRegistry.StartAsync(docker);
        using var registry = new RegistryClient(RegistryEndpoint.For(container.Host));
        var repository = $"osrec-{Guid.NewGuid():N}"[..16] + "/gateway";
        var reference = ImageReference.Parse($"{container.Host}/{repository}:dev");
        using var publish = AppLayerWriterTests.Publish();
        var image = await EmptyBaseImages.AssembleAsync(publish.Path, reference);
        await AppImageAssembler.PushAsync(registry, image, NullLogger.Instance);

        // The layer and the configuration are read only while the tag names another image.
        if (record != "tag")
        {
            await File.WriteAllTextAsync(publish.Combine("openshell-server.dll"), "server two");
            await AppImageAssembler.PushAsync(registry, await EmptyBaseImages.AssembleAsync(publish.Path, reference), NullLogger.Instance);
        }

        var link = record switch
        {
            "tag" => $"{Storage}/{repository}/_manifests/tags/dev/current/link",
            "layer" => $"{Storage}/{repository}/_layers/sha256/{image.Layer.Digest[7..]}/link",
            _ => $"{Storage}/{repository}/_layers/sha256/{image.ConfigDigest[7..]}/link",
        };
        var (exit, _, stderr) = await ContainerExec.RunAsync(docker, container.Name, ["sh", "-c", $": > {link}"]);
        Assert.True(exit == 0, stderr);
        var unreadable = await Assert.ThrowsAsync<RegistryException>(() => record == "tag"
            ? registry.GetManifestAsync(repository, "dev")
            : registry.BlobSizeAsync(repository, record == "layer" ? image.Layer.Digest : image.ConfigDigest));
        Assert.Equal(500, unreadable.StatusCode);

        var logger = new RecordingLogger();
        var pushed = await AppImageAssembler.PushAsync(registry, image, logger);

        Assert.True(pushed.Pushed);
        Assert.Equal(image.Digest, (await registry.GetManifestAsync(repository, "dev"))!.Digest);
        Assert.Equal(image.Layer.Size, await registry.BlobSizeAsync(repository, image.Layer.Digest));
        Assert.Equal(image.Config.Length, await registry.BlobSizeAsync(repository, image.ConfigDigest));
        Assert.Contains(logger.Lines, l => l.Contains("cannot read its record", StringComparison.Ordinal) && l.Contains("HTTP 500", StringComparison.Ordinal));
    }
}
