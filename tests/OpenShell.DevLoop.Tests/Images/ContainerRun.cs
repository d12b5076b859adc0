using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>Runs a shell script in a throw-away container of an image and returns its output.</summary>
internal static class ContainerRun
{
    public static async Task<(long ExitCode, string Output)> ShAsync(IDockerClient docker, string image, string script)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"openshell-test-run-{Guid.NewGuid():N}",
            Image = image,
            Entrypoint = ["/bin/sh", "-c", script],
            Cmd = [],
        });
        try
        {
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var wait = await docker.Containers.WaitContainerAsync(created.ID, timeout.Token);
            using var logs = await docker.Containers.GetContainerLogsAsync(created.ID, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, default);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(default);
            return (wait.StatusCode, stdout + stderr);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}
