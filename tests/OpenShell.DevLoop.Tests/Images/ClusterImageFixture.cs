using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>
/// Builds one cluster image for the Docker-backed tests, offline: a bundle whose nvidia-container-cli is a glibc program
/// linked against the bundle's stub libnvidia-container, the real supervisor published for the k3s stage's architecture,
/// the k3s simulator's /bin on the offline glibc base. Removed at the end.
/// </summary>
public sealed class ClusterImageFixture : IAsyncLifetime
{
    public const string BaseImage = OfflineImages.K3s;

    public const string ClusterBase = OfflineImages.ClusterBase;

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
        using (await AcquirePublishLockAsync())
        {
            var key = await ReleaseSupervisorCache.KeyAsync(RepositoryPaths.Root, architecture);
            (SupervisorBinary, _) = await new ReleaseSupervisorCache(TestCaches.ReleaseSupervisors).GetOrPublishAsync(key,
                () => SupervisorPublisher.PublishAsync(RepositoryPaths.Root, architecture, publishDirectory, NullLogger.Instance), NullLogger.Instance);
        }

        PublishTime = watch.Elapsed;
        var bundle = await GlibcStubBundle.WriteAsync(Temp, architecture);
        watch.Restart();
        Result = await ClusterImageBuild.RunAsync(Docker, new ClusterImageBuildRequest(RepositoryPaths.Root, Tag, BaseImage)
        {
            ClusterBase = ClusterBase,
            ClusterBaseFrom = "",
            BundleTarball = bundle,
            SupervisorBinary = SupervisorBinary,
            WorkDirectory = Temp.Combine("work"),
        }, NullLogger.Instance);
        BuildTime = watch.Elapsed;
    }

    /// <summary>
    /// The lock the payload tests take around their publishes (same file, same protocol): publishes of the gateway and
    /// the supervisor share OpenShell.Core's Release output and collide when they run at once.
    /// </summary>
    private static async Task<IDisposable> AcquirePublishLockAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "openshell-test-publish.lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Builds the offline stand-ins with eng/offline-images.sh when they are missing.</summary>
    public static Task EnsureBaseImageAsync(IDockerClient docker) => OfflineImages.EnsureAsync(docker);

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
