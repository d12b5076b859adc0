using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Puts a new supervisor binary on the cluster node without a window where it is half written: the file is streamed
/// through the engine's archive API under a temporary name in the same folder (mode 755), renamed over the old binary
/// in one step (<c>mv -f</c>, a rename(2) on one file system), then its sha256 is read back from inside the container.
/// </summary>
internal static class SupervisorDeployer
{
    /// <summary>The folder on the node that sandbox pods mount.</summary>
    public const string NodeDirectory = "/opt/openshell/bin";

    /// <summary>The binary's path on the node.</summary>
    public const string NodePath = NodeDirectory + "/openshell-sandbox";

    /// <summary>Copies <paramref name="binary"/> into <paramref name="containerId"/> and returns the verified sha256.</summary>
    /// <exception cref="DeployException">The copy, the rename or the verification failed.</exception>
    public static async Task<string> DeployAsync(IDockerClient docker, string containerId, string binary, CancellationToken ct = default)
    {
        var expected = await HashFileAsync(binary, ct).ConfigureAwait(false);
        var temporaryName = $".openshell-sandbox.{Guid.NewGuid():N}.tmp";
        var temporaryPath = $"{NodeDirectory}/{temporaryName}";

        await RunAsync(docker, containerId, ["mkdir", "-p", NodeDirectory], "create " + NodeDirectory, ct).ConfigureAwait(false);
        using (var archive = new MemoryStream())
        {
            await using (var writer = new BuildContextWriter(archive))
            {
                await writer.AddFileAsync(temporaryName, binary, BuildContextWriter.Executable, ct).ConfigureAwait(false);
            }

            archive.Position = 0;
            try
            {
                await docker.Containers.ExtractArchiveToContainerAsync(containerId, new ContainerPathStatParameters { Path = NodeDirectory }, archive, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new DeployException(DeployStep.Supervisor,
                    $"Copying the supervisor into the cluster container failed ({ex.StatusCode}: {ex.ResponseBody.Trim()}). Check that the cluster container is running ('openshell-dev deploy' bootstraps it).", ex);
            }
        }

        // Rename and hash in one exec: the rename is atomic, so a pod starting now runs the old or the new binary, whole.
        var (exit, stdout, stderr) = await ContainerExec.RunAsync(docker, containerId,
            ["sh", "-c", $"mv -f '{temporaryPath}' '{NodePath}' && sha256sum '{NodePath}'"], ct).ConfigureAwait(false);
        if (exit != 0)
        {
            await ContainerExec.RunAsync(docker, containerId, ["rm", "-f", temporaryPath], ct).ConfigureAwait(false);
            throw new DeployException(DeployStep.Supervisor,
                $"Replacing {NodePath} in the cluster container failed (exit {exit}): {stderr.Trim()}. The old binary is still in place; check the node's disk space and run the deploy again.");
        }

        var actual = stdout.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            throw new DeployException(DeployStep.Supervisor,
                $"The supervisor on the node has sha256 {actual}, the published binary {expected}: the copy was damaged or replaced concurrently. Run the deploy again.");
        }

        return actual;
    }

    /// <summary>The sha256 of the binary on the node, or null when it is missing.</summary>
    public static async Task<string?> ReadNodeSha256Async(IDockerClient docker, string containerId, CancellationToken ct = default)
    {
        var (exit, stdout, _) = await ContainerExec.RunAsync(docker, containerId, ["sha256sum", NodePath], ct).ConfigureAwait(false);
        return exit == 0 ? stdout.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
    }

    /// <summary>What the binary on the node prints for <c>--version</c>, or null when it is missing or cannot run there.</summary>
    public static async Task<string?> ReadNodeVersionAsync(IDockerClient docker, string containerId, CancellationToken ct = default)
    {
        var (exit, stdout, _) = await ContainerExec.RunAsync(docker, containerId, [NodePath, "--version"], ct).ConfigureAwait(false);
        return exit == 0 && stdout.Trim() is { Length: > 0 } version ? version : null;
    }

    internal static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
    }

    private static async Task RunAsync(IDockerClient docker, string containerId, IList<string> command, string what, CancellationToken ct)
    {
        var (exit, _, stderr) = await ContainerExec.RunAsync(docker, containerId, command, ct).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new DeployException(DeployStep.Supervisor, $"Could not {what} in the cluster container (exit {exit}): {stderr.Trim()}.");
        }
    }
}
