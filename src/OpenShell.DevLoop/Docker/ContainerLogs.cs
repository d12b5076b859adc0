using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace OpenShell.DevLoop.Docker;

/// <summary>Reads the last lines a container wrote, for error messages.</summary>
public static class ContainerLogs
{
    /// <summary>The last <paramref name="lines"/> lines of stdout and stderr, or a note when they cannot be read.</summary>
    public static async Task<string> TailAsync(IDockerClient docker, string containerId, int lines, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        try
        {
            using var stream = await docker.Containers.GetContainerLogsAsync(
                containerId, tty: false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(CultureInfo.InvariantCulture) }, ct).ConfigureAwait(false);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(ct).ConfigureAwait(false);
            return (stdout + stderr).TrimEnd();
        }
        catch (DockerApiException ex)
        {
            return $"(logs unavailable: {ex.Message})";
        }
    }
}
