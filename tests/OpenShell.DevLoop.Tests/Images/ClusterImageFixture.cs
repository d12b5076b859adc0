using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>
/// Builds one cluster image for the Docker-backed tests, offline: a synthetic bundle packed with the bundle code, the
/// real supervisor published for the base image's architecture, on the k3s simulator image. Removed at the end.
/// </summary>
public sealed class ClusterImageFixture : IAsyncLifetime
{
    public const string BaseImage = "openshell-offline/k3s-sim:latest";

    public TempDirectory Temp { get; } = new("cluster-image");

    public string Tag { get; } = $"openshell-test/cluster:{Guid.NewGuid():N}";

    public DockerClient Docker { get; } = DockerEngine.CreateClient();

    public ClusterImageBuildResult? Result { get; private set; }

    public string SupervisorBinary { get; private set; } = "";

    public TimeSpan BuildTime { get; private set; }

    public TimeSpan PublishTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (DockerGate.SkipReason is not null)
        {
            return;
        }

        await EnsureBaseImageAsync(Docker);
        var architecture = await ClusterArchitecture.ReadAsync(Docker, BaseImage);
        // A stable output folder keeps repeated publishes incremental.
        var publishDirectory = Path.Combine(Path.GetTempPath(), "openshell-test-supervisor", architecture);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        SupervisorBinary = await SupervisorPublisher.PublishAsync(RepositoryPaths.Root, architecture, publishDirectory, NullLogger.Instance);
        PublishTime = watch.Elapsed;
        var bundle = await SyntheticBundle.PackAsync(Temp, architecture);
        watch.Restart();
        Result = await ClusterImageBuild.RunAsync(Docker, new ClusterImageBuildRequest(RepositoryPaths.Root, Tag, BaseImage)
        {
            BundleTarball = bundle,
            SupervisorBinary = SupervisorBinary,
            WorkDirectory = Temp.Combine("work"),
        }, NullLogger.Instance);
        BuildTime = watch.Elapsed;
    }

    /// <summary>Builds the simulator image with eng/offline-images.sh when it is missing.</summary>
    public static async Task EnsureBaseImageAsync(IDockerClient docker)
    {
        try
        {
            await docker.Images.InspectImageAsync(BaseImage);
        }
        catch (DockerImageNotFoundException)
        {
            (await TestProcess.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "eng", "offline-images.sh")], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(15)))
                .EnsureSuccess("eng/offline-images.sh");
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Docker.Images.DeleteImageAsync(Tag, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
        }
        catch (HttpRequestException)
        {
        }

        Docker.Dispose();
        Temp.Dispose();
    }
}
