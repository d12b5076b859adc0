using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Errors;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Docker;

/// <summary>
/// A cluster container that stopped or went away under a deploy (as when its engine restarts) fails the step naming the
/// container and that it is not running, with "bring the cluster up" as the remedy, not the engine's bare 409.
/// </summary>
public sealed class ContainerNotRunningTests
{
    [Theory]
    [InlineData(HttpStatusCode.Conflict, """{"message":"Container 0123456789ab is not running"}""", true)]
    [InlineData(HttpStatusCode.Conflict, """{"message":"Container 0123456789ab is restarting, wait until the container is running"}""", true)]
    [InlineData(HttpStatusCode.NotFound, """{"message":"No such container: openshell-cluster-dev"}""", true)]
    [InlineData(HttpStatusCode.Conflict, """{"message":"conflict: unable to remove repository reference"}""", false)]
    [InlineData(HttpStatusCode.InternalServerError, """{"message":"no space left on device"}""", false)]
    public void Tells_a_container_that_is_not_running_from_other_refusals(HttpStatusCode status, string body, bool notRunning) =>
        Assert.Equal(notRunning, ContainerNotRunningException.Is(new DockerApiException(status, body)));

    [Fact]
    public async Task A_deploy_step_keeps_its_words_and_bring_the_cluster_up_as_the_remedy()
    {
        using var run = new DeployRun(null, NullLogger.Instance);
        var refusal = new DockerApiException(HttpStatusCode.Conflict, """{"message":"Container 0123456789ab is not running"}""");

        var error = await Assert.ThrowsAsync<DeployException>(() => run.StepAsync<int>(DeployStep.Supervisor, "supervisor", () =>
            throw new ContainerNotRunningException(new string('a', 64), refusal)));

        Assert.StartsWith("the cluster container aaaaaaaaaaaa is not running any more (the engine answered 409: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(RemedyAction.BringClusterUp, error.Action);
        Assert.Equal("supervisor", error.Component);
    }

    [RequiresDocker]
    public async Task A_command_in_a_stopped_or_removed_container_fails_naming_the_container()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = OfflineImages.Debian,
            Name = $"openshell-test-exec-{Guid.NewGuid():N}"[..32],
            Cmd = ["sleep", "600"],
        });
        try
        {
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            Assert.Equal((0L, "running\n"), (await ContainerExec.RunAsync(docker, created.ID, ["echo", "running"])) is var (exit, stdout, _) ? (exit, stdout) : default);

            await docker.Containers.StopContainerAsync(created.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 0 });
            var stopped = await Assert.ThrowsAsync<ContainerNotRunningException>(() => ContainerExec.RunAsync(docker, created.ID, ["true"]));
            Assert.Contains($"the cluster container {created.ID[..12]} is not running any more (the engine answered 409", stopped.Message, StringComparison.Ordinal);
            Assert.Equal(RemedyAction.BringClusterUp, stopped.Action);

            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters());
            var gone = await Assert.ThrowsAsync<ContainerNotRunningException>(() => ContainerExec.RunAsync(docker, created.ID, ["true"]));
            Assert.Contains("(the engine answered 404", gone.Message, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed by the test.
            }
        }
    }
}
