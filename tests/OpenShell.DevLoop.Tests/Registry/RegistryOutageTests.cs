using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Publishing;
using OpenShell.DevLoop.Registry;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Registry;

public sealed class RegistryOutageTests
{
    private static readonly RegistryException Silent = new(
        "The registry 127.0.0.1:5000 did not answer HEAD http://127.0.0.1:5000/v2/openshell/gateway/blobs/sha256:ab (Connection refused).",
        "Check that the registry runs and listens on that address.");

    [Fact]
    public async Task An_engine_that_does_not_answer_either_is_named_with_its_remedy()
    {
        using var unreachable = new DockerClientConfiguration(new Uri($"unix://{Path.Combine(Path.GetTempPath(), $"no-engine-{Guid.NewGuid():N}.sock")}")).CreateClient();

        var explained = await RegistryOutage.ExplainAsync(unreachable, "openshell-local-registry", DateTime.UtcNow, Silent, CancellationToken.None);

        Assert.StartsWith(Silent.Message + " The Docker engine it runs on does not answer either (", explained.Message, StringComparison.Ordinal);
        Assert.EndsWith("the engine stopped or is restarting, and the registry with it.", explained.Message, StringComparison.Ordinal);
        Assert.Equal("Check that the Docker engine runs.", explained.Remedy);
        Assert.Same(Silent, explained.InnerException);
    }

    [Fact]
    public async Task A_registry_that_answered_is_left_as_it_said()
    {
        using var unreachable = new DockerClientConfiguration(new Uri("unix:///nonexistent/docker.sock")).CreateClient();
        var refused = new RegistryException("The registry 127.0.0.1:5000 answered 500 to PUT.", null, 500);

        Assert.Same(refused, await RegistryOutage.ExplainAsync(unreachable, "openshell-local-registry", DateTime.UtcNow, refused, CancellationToken.None));
    }

    [RequiresDocker]
    public async Task The_registry_container_gone_stopped_started_during_the_request_or_running_all_along_is_told_apart()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        var name = $"openshell-test-outage-{Guid.NewGuid():N}"[..34];

        var gone = await RegistryOutage.ExplainAsync(docker, name, DateTime.UtcNow, Silent, CancellationToken.None);
        Assert.Equal($"{Silent.Message} Its container {name} is gone.", gone.Message);
        Assert.Equal(Silent.Remedy, gone.Remedy);

        await docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = OfflineImages.Debian, Name = name, Cmd = ["sleep", "600"] });
        try
        {
            var created = await RegistryOutage.ExplainAsync(docker, name, DateTime.UtcNow, Silent, CancellationToken.None);
            Assert.Equal($"{Silent.Message} Its container {name} is created (exit 0).", created.Message);

            // A request that began before the container (re)started: the engine restarted under it.
            var began = DateTime.UtcNow - TimeSpan.FromMinutes(1);
            await docker.Containers.StartContainerAsync(name, new ContainerStartParameters());
            var restarted = await RegistryOutage.ExplainAsync(docker, name, began, Silent, CancellationToken.None);
            Assert.StartsWith($"{Silent.Message} Its container {name} started again ", restarted.Message, StringComparison.Ordinal);
            Assert.EndsWith("s ago, while the request ran: the Docker engine restarted, or something restarted the container.", restarted.Message, StringComparison.Ordinal);

            // Running since before the request: the engine shows nothing wrong, and the error stays as it was.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Same(Silent, await RegistryOutage.ExplainAsync(docker, name, DateTime.UtcNow, Silent, CancellationToken.None));
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true });
        }
    }
}
