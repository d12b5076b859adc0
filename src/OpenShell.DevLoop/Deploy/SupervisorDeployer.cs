using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Puts a new supervisor binary on the cluster node so that a process starting at any moment runs one whole binary.
/// Each binary goes into a file of its own named by its sha256 (<c>.openshell-sandbox-&lt;sha&gt;</c>, streamed through
/// the engine's archive API under a temporary name, then renamed), and <c>openshell-sandbox</c> becomes a relative link
/// to it, swapped by one rename(2). A binary file is never replaced while it may run: a single-file .NET executable
/// reopens its own file (by <c>/proc/self/exe</c>) after exec, and must find the bytes it was started from. The
/// current and the previous binary are kept; older ones are removed. Its sha256 is read back through the link.
/// </summary>
internal static class SupervisorDeployer
{
    /// <summary>The folder on the node that sandbox pods mount.</summary>
    public const string NodeDirectory = "/opt/openshell/bin";

    /// <summary>The binary's path on the node.</summary>
    public const string NodePath = NodeDirectory + "/openshell-sandbox";

    private const string VersionPrefix = ".openshell-sandbox-";

    /// <summary>Copies <paramref name="binary"/> into <paramref name="containerId"/> and returns the verified sha256.</summary>
    /// <exception cref="DeployException">The copy, the link swap or the verification failed.</exception>
    public static async Task<string> DeployAsync(IDockerClient docker, string containerId, string binary, CancellationToken ct = default)
    {
        var expected = await HashFileAsync(binary, ct).ConfigureAwait(false);
        var version = VersionPrefix + expected;
        var temporaryName = $".openshell-sandbox.{Guid.NewGuid():N}.tmp";

        // A binary already on the node (swapping back to it) is linked again, not copied: replacing it could break a
        // process that is starting from it.
        var (checkExit, present, checkError) = await ContainerExec.RunAsync(docker, containerId, ["sh", "-c",
            $"mkdir -p '{NodeDirectory}' && cd '{NodeDirectory}' && if [ -f '{version}' ] && [ \"$(sha256sum '{version}' | cut -d' ' -f1)\" = '{expected}' ]; then echo present; fi"],
            ct).ConfigureAwait(false);
        if (checkExit != 0)
        {
            throw new DeployException(DeployStep.Supervisor, $"Could not prepare {NodeDirectory} in the cluster container (exit {checkExit}): {checkError.Trim()}.");
        }

        var upload = present.Trim() != "present";
        if (upload)
        {
            await UploadAsync(docker, containerId, binary, temporaryName, ct).ConfigureAwait(false);
        }

        // One exec: place the new file, swap the link by rename, drop all but the current and the previous binary, hash.
        var linkName = $".openshell-sandbox.link.{Guid.NewGuid():N}.tmp";
        var script = string.Join(" && ",
            "set -e",
            $"cd '{NodeDirectory}'",
            "previous=$(readlink openshell-sandbox 2>/dev/null || true)",
            upload ? $"mv -f '{temporaryName}' '{version}'" : "true",
            $"ln -s '{version}' '{linkName}'",
            $"mv -f '{linkName}' openshell-sandbox",
            $"for f in {VersionPrefix}*; do if [ -f \"$f\" ] && [ \"$f\" != '{version}' ] && [ \"$f\" != \"$previous\" ]; then rm -f \"$f\"; fi; done",
            "sha256sum openshell-sandbox");
        var (exit, stdout, stderr) = await ContainerExec.RunAsync(docker, containerId, ["sh", "-c", script], ct).ConfigureAwait(false);
        if (exit != 0)
        {
            await ContainerExec.RunAsync(docker, containerId, ["rm", "-f", $"{NodeDirectory}/{temporaryName}", $"{NodeDirectory}/{linkName}"], ct).ConfigureAwait(false);
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

    private static async Task UploadAsync(IDockerClient docker, string containerId, string binary, string name, CancellationToken ct)
    {
        using var archive = new MemoryStream();
        await using (var writer = new BuildContextWriter(archive))
        {
            await writer.AddFileAsync(name, binary, BuildContextWriter.Executable, ct).ConfigureAwait(false);
        }

        archive.Position = 0;
        try
        {
            await docker.Containers.ExtractArchiveToContainerAsync(containerId, new ContainerPathStatParameters { Path = NodeDirectory }, archive, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new DeployException(DeployStep.Supervisor,
                $"Copying the supervisor into the cluster container failed ({ex.StatusCode}: {ex.ResponseBody.Trim()}); the cluster container may not be running.", ex)
            {
                Action = Errors.RemedyAction.BringClusterUp,
            };
        }
    }
}
