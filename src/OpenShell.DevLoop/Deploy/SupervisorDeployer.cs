using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Puts a new single-file binary (the supervisor's release build, or any binary component's; folder builds go through
/// <see cref="TreeDeployer"/>, in the same <see cref="NodeLayout"/>) on the cluster node so that a process starting at any
/// moment runs one whole binary. Each binary goes into a file of its own named by its sha256
/// (<c>.openshell-sandbox-&lt;sha&gt;</c>, streamed through the engine's archive API under a temporary name, then
/// renamed), and <c>openshell-sandbox</c> becomes a relative link to it, swapped by one rename(2). A binary file is
/// never replaced while it may run: a single-file .NET executable reopens its own file (by <c>/proc/self/exe</c>) after
/// exec, and must find the bytes it was started from. The current and the previous binary are kept; older ones are
/// removed. Its sha256 is read back through the link.
/// </summary>
internal static class SupervisorDeployer
{
    /// <summary>The folder on the node that sandbox pods mount.</summary>
    public const string NodeDirectory = "/opt/openshell/bin";

    /// <summary>The supervisor's path on the node.</summary>
    public const string NodePath = NodeDirectory + "/openshell-sandbox";

    private static readonly BinaryDeployment s_supervisor = new(ComponentDefaults.BinaryProject, NodePath);

    /// <summary>Copies <paramref name="binary"/> into <paramref name="containerId"/> as the supervisor and returns the verified sha256.</summary>
    /// <exception cref="DeployException">The copy, the link swap or the verification failed.</exception>
    public static Task<string> DeployAsync(IDockerClient docker, string containerId, string binary, CancellationToken ct = default) =>
        DeployAsync(docker, containerId, binary, s_supervisor, ct);

    /// <summary>Copies <paramref name="binary"/> into <paramref name="containerId"/> at <paramref name="target"/>'s node path and returns the verified sha256.</summary>
    /// <exception cref="DeployException">The copy, the link swap or the verification failed.</exception>
    public static Task<string> DeployAsync(IDockerClient docker, string containerId, string binary, BinaryDeployment target, CancellationToken ct = default) =>
        DeployAsync(docker, containerId, binary, target, fingerprint: null, ct);

    /// <summary>
    /// Copies <paramref name="binary"/> into <paramref name="containerId"/> at <paramref name="target"/>'s node path and returns
    /// the verified sha256. After the link is swapped, <see cref="FingerprintFile"/> beside it is replaced (atomically) with
    /// <paramref name="fingerprint"/> and the binary's sha256; without a fingerprint it is removed, as nothing vouches for
    /// the new binary's inputs.
    /// </summary>
    /// <exception cref="DeployException">The copy, the link swap or the verification failed.</exception>
    public static async Task<string> DeployAsync(IDockerClient docker, string containerId, string binary, BinaryDeployment target, string? fingerprint, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var directory = target.NodeDirectory;
        var name = target.FileName;
        var expected = await HashFileAsync(binary, ct).ConfigureAwait(false);
        var id = Guid.NewGuid();
        var layout = new NodeLayout(directory, name);
        var version = layout.Version(expected);
        var temporaryName = layout.Temporary("", id);

        // A binary already on the node (swapping back to it) is linked again, not copied: replacing it could break a
        // process that is starting from it.
        var (checkExit, present, checkError) = await ContainerExec.RunAsync(docker, containerId, ["sh", "-c",
            $"mkdir -p '{directory}' && cd '{directory}' && if [ -f '{version}' ] && [ \"$(sha256sum '{version}' | cut -d' ' -f1)\" = '{expected}' ]; then echo present; fi"],
            ct).ConfigureAwait(false);
        if (checkExit != 0)
        {
            throw new DeployException(DeployStep.Supervisor, $"Could not prepare {directory} in the cluster container (exit {checkExit}): {checkError.Trim()}.");
        }

        var upload = present.Trim() != "present";
        if (upload)
        {
            await DeployFaultPoints.ReachAsync(DeployFaultPoints.SupervisorCopy, ct).ConfigureAwait(false);
            await UploadAsync(docker, containerId, binary, directory, temporaryName, ct).ConfigureAwait(false);
        }

        await DeployFaultPoints.ReachAsync(DeployFaultPoints.SupervisorSwap, ct).ConfigureAwait(false);

        // One exec: place the new file, swap the link by rename, drop all but the current and the previous build, hash.
        var script = layout.FileSwapScript(expected, id, upload, fingerprint is null ? null : NodeFingerprint.Format(fingerprint, expected));
        var (exit, stdout, stderr) = await ContainerExec.RunAsync(docker, containerId, ["sh", "-c", script], ct).ConfigureAwait(false);
        if (exit != 0)
        {
            await ContainerExec.RunAsync(docker, containerId, layout.AbandonCommand(id), ct).ConfigureAwait(false);
            throw new DeployException(DeployStep.Supervisor,
                $"Replacing {target.NodePath} in the cluster container failed (exit {exit}): {stderr.Trim()}. The old binary is still in place; check the node's disk space and run the deploy again.");
        }

        var actual = stdout.Trim();
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
        {
            throw new DeployException(DeployStep.Supervisor,
                $"{target.NodePath} on the node has sha256 {actual}, the published binary {expected}: the copy was damaged or replaced concurrently. Run the deploy again.");
        }

        return actual;
    }

    /// <summary>The file beside binary <paramref name="fileName"/> that names the fingerprint and sha256 it was deployed with.</summary>
    public static string FingerprintFile(string fileName) => fileName + ".fingerprint";

    /// <summary>
    /// What the fingerprint file beside the binary at <paramref name="nodePath"/> says, or null when there is none (never
    /// deployed with a fingerprint) or it cannot be read as one.
    /// </summary>
    public static async Task<NodeFingerprint?> ReadNodeFingerprintAsync(IDockerClient docker, string containerId, string nodePath, CancellationToken ct = default)
    {
        var (exit, stdout, _) = await ContainerExec.RunAsync(docker, containerId, ["cat", nodePath + ".fingerprint"], ct).ConfigureAwait(false);
        return exit == 0 ? NodeFingerprint.Parse(stdout) : null;
    }

    /// <summary>The sha256 of the supervisor on the node, or null when it is missing.</summary>
    public static Task<string?> ReadNodeSha256Async(IDockerClient docker, string containerId, CancellationToken ct = default) =>
        ReadNodeSha256Async(docker, containerId, NodePath, ct);

    /// <summary>
    /// The sha256 of what the executable at <paramref name="nodePath"/> on the node runs, or null when it is missing: the
    /// tree's sha256 (<see cref="NodeTree"/>, recomputed on the node) when it links into a tree, else the file's.
    /// </summary>
    public static async Task<string?> ReadNodeSha256Async(IDockerClient docker, string containerId, string nodePath, CancellationToken ct = default)
    {
        var deployment = new BinaryDeployment(ComponentDefaults.BinaryProject, nodePath);
        var layout = new NodeLayout(deployment.NodeDirectory, deployment.FileName);
        var (exit, stdout, _) = await ContainerExec.RunAsync(docker, containerId, ["sh", "-c", layout.ReadSha256Script()], ct).ConfigureAwait(false);
        return exit == 0 && stdout.Trim() is { Length: 64 } sha ? sha : null;
    }

    /// <summary>What the binary at <paramref name="nodePath"/> prints for <c>--version</c>, or null when it is missing or cannot run there.</summary>
    public static async Task<string?> ReadNodeVersionAsync(IDockerClient docker, string containerId, string nodePath, CancellationToken ct = default)
    {
        var (exit, stdout, _) = await ContainerExec.RunAsync(docker, containerId, [nodePath, "--version"], ct).ConfigureAwait(false);
        return exit == 0 && stdout.Trim() is { Length: > 0 } version ? version : null;
    }

    internal static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
    }

    private static async Task UploadAsync(IDockerClient docker, string containerId, string binary, string directory, string name, CancellationToken ct)
    {
        using var archive = new MemoryStream();
        await using (var writer = new BuildContextWriter(archive))
        {
            await writer.AddFileAsync(name, binary, BuildContextWriter.Executable, ct).ConfigureAwait(false);
        }

        archive.Position = 0;
        try
        {
            await docker.Containers.ExtractArchiveToContainerAsync(containerId, new ContainerPathStatParameters { Path = directory }, archive, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new DeployException(DeployStep.Supervisor,
                $"Copying {name} into the cluster container failed ({ex.StatusCode}: {ex.ResponseBody.Trim()}); the cluster container may not be running.", ex)
            {
                Action = Errors.RemedyAction.BringClusterUp,
            };
        }
    }
}
