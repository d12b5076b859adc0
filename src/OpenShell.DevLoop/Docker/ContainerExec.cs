using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Docker;

/// <summary>Runs a command inside a running container through the engine's exec API (no <c>docker</c> CLI).</summary>
internal static class ContainerExec
{
    /// <summary>Runs <paramref name="command"/> in <paramref name="containerId"/> and returns its exit code and output.</summary>
    /// <exception cref="ContainerNotRunningException">The container is not running or is gone.</exception>
    public static async Task<(long ExitCode, string Stdout, string Stderr)> RunAsync(IDockerClient docker, string containerId, IList<string> command, CancellationToken ct = default)
    {
        ContainerExecCreateResponse exec;
        try
        {
            exec = await docker.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters
            {
                Cmd = command,
                AttachStdout = true,
                AttachStderr = true,
            }, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ContainerNotRunningException.Is(ex))
        {
            throw new ContainerNotRunningException(containerId, ex);
        }

        using var stream = await docker.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false, ct).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct).ConfigureAwait(false);
        var inspect = await docker.Exec.InspectContainerExecAsync(exec.ID, ct).ConfigureAwait(false);
        return (inspect.ExitCode, stdout, stderr);
    }
}
