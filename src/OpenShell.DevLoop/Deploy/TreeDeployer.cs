using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Puts a published folder (apphost, the app's dlls, the runtime's files) on the cluster node as a content-addressed tree
/// (<see cref="NodeLayout"/>): the files the node's store lacks and the tree made of hard links into the store go in one
/// tar through the engine's archive API, under temporary names; one exec renames them into place, recomputes the tree's
/// sha256, and only when it matches swaps the executable's link to the tree by one rename(2) (the apphost resolves its own
/// path, so it loads the dlls beside the link's target) and writes the fingerprint file. A tree is never changed once in
/// place and never linked unchecked, so a process started at any moment runs one whole tree of the expected content.
/// </summary>
internal static class TreeDeployer
{
    private const UnixFileMode StoreMode = (UnixFileMode)0b111_101_101;

    /// <summary>
    /// Swaps <paramref name="folder"/> in at <paramref name="target"/>'s node path in <paramref name="containerId"/> and
    /// returns the tree's sha256 read back. <paramref name="index"/> says which files the node holds already;
    /// <paramref name="hashes"/> keeps the local files' sha256.
    /// </summary>
    /// <exception cref="DeployException">The folder lacks the executable, or the copy, the swap or the verification failed.</exception>
    public static async Task<string> DeployAsync(
        IDockerClient docker, string containerId, string folder, BinaryDeployment target, string? fingerprint, NodeStoreIndex index, FileHashCache? hashes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(index);
        var layout = new NodeLayout(target.NodeDirectory, target.FileName);
        var tree = await NodeTree.ReadAsync(folder, hashes, ct).ConfigureAwait(false);
        if (!tree.Files.Any(f => f.Path == target.FileName))
        {
            throw new DeployException(DeployStep.Supervisor,
                $"{folder} holds no {target.FileName}; the file name of \"nodePath\" must be the project's executable name.");
        }

        var fingerprintText = fingerprint is null ? null : NodeFingerprint.Format(fingerprint, tree.Sha256);
        var (store, trees) = index.Read();
        var attempt = await TrySwapAsync(docker, containerId, layout, tree, store, trees, fingerprintText, ct).ConfigureAwait(false);
        if (attempt is null)
        {
            // The index was stale (the node was recreated, another checkout swapped there, or a file on the node was
            // changed, whose tree the script removed): send everything once.
            index.Clear();
            attempt = await TrySwapAsync(docker, containerId, layout, tree, new HashSet<string>(), new HashSet<string>(), fingerprintText, ct).ConfigureAwait(false)
                ?? throw new DeployException(DeployStep.Supervisor, $"The tree staged for {target.NodePath} was gone before its swap; run the deploy again.");
        }

        var lines = attempt.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        index.Write(lines.Skip(1));
        var actual = lines.FirstOrDefault()?.Trim() ?? string.Empty;
        if (!string.Equals(actual, tree.Sha256, StringComparison.Ordinal))
        {
            throw new DeployException(DeployStep.Supervisor,
                $"{target.NodePath} on the node runs tree sha256 '{actual}', the published folder is {tree.Sha256}: the copy was damaged or replaced concurrently. Run the deploy again.");
        }

        return actual;
    }

    // The swap script's output, or null when the node lacked what the index said it held (nothing was swapped then).
    private static async Task<string?> TrySwapAsync(
        IDockerClient docker, string containerId, NodeLayout layout, NodeTree tree, IReadOnlySet<string> store, IReadOnlySet<string> trees, string? fingerprintText, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        if (!trees.Contains(tree.Sha256))
        {
            using var archive = await ArchiveAsync(layout, tree, store, id, ct).ConfigureAwait(false);
            await DeployFaultPoints.ReachAsync(DeployFaultPoints.SupervisorCopy, ct).ConfigureAwait(false);
            try
            {
                await docker.Containers.ExtractArchiveToContainerAsync(containerId, new ContainerPathStatParameters { Path = layout.Directory }, archive, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ContainerNotRunningException.Is(ex))
            {
                // Nothing to clean up now: the next swap removes what this copy left.
                throw new ContainerNotRunningException(containerId, ex);
            }
            catch (DockerApiException) when (store.Count > 0)
            {
                // A hard link into a store file that is not there.
                await ContainerExec.RunAsync(docker, containerId, layout.AbandonCommand(id), ct).ConfigureAwait(false);
                return null;
            }
            catch (DockerApiException ex)
            {
                await ContainerExec.RunAsync(docker, containerId, layout.AbandonCommand(id), ct).ConfigureAwait(false);
                throw new DeployException(DeployStep.Supervisor,
                    $"Copying {tree.Files.Count} files into {layout.Directory} in the cluster container failed ({ex.StatusCode}: {ex.ResponseBody.Trim()}); the cluster container may not be running.", ex)
                {
                    Action = Errors.RemedyAction.BringClusterUp,
                };
            }
        }

        await DeployFaultPoints.ReachAsync(DeployFaultPoints.SupervisorSwap, ct).ConfigureAwait(false);
        var (exit, stdout, stderr) = await ContainerExec.RunAsync(docker, containerId, ["sh", "-c", layout.TreeSwapScript(tree.Sha256, id, fingerprintText)], ct).ConfigureAwait(false);
        if ((exit == 3 && trees.Contains(tree.Sha256)) || (exit == 4 && (store.Count > 0 || trees.Contains(tree.Sha256))))
        {
            return null;
        }

        if (exit == 4)
        {
            throw new DeployException(DeployStep.Supervisor,
                $"The tree copied for {layout.Directory}/{layout.Name} does not match the published folder ({stderr.Trim()}); the copy was damaged on its way. The old build is still in place; run the deploy again.");
        }

        if (exit != 0)
        {
            await ContainerExec.RunAsync(docker, containerId, layout.AbandonCommand(id), ct).ConfigureAwait(false);
            throw new DeployException(DeployStep.Supervisor,
                $"Swapping {layout.Directory}/{layout.Name} to tree {tree.Sha256} in the cluster container failed (exit {exit}): {stderr.Trim()}. The old build is still in place; check the node's disk space and run the deploy again.");
        }

        return stdout;
    }

    // The store files the node lacks under the upload folder, and the tree as hard links: to the store for files the node
    // holds, to the upload folder for the others (the swap moves them into the store; the links keep their inode).
    internal static async Task<MemoryStream> ArchiveAsync(NodeLayout layout, NodeTree tree, IReadOnlySet<string> store, Guid id, CancellationToken ct)
    {
        var upload = layout.Temporary("upload", id);
        var staged = layout.Temporary("tree", id);
        var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            var sent = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in tree.Files.Where(f => !store.Contains(f.Sha256) && sent.Add(f.Sha256)))
            {
                if (sent.Count == 1)
                {
                    await writer.WriteEntryAsync(Directory(upload), ct).ConfigureAwait(false);
                }

                await using var content = File.OpenRead(file.Source);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, $"{upload}/{file.Sha256}") { Mode = StoreMode, DataStream = content }, ct).ConfigureAwait(false);
            }

            var folders = new HashSet<string>(StringComparer.Ordinal) { staged };
            await writer.WriteEntryAsync(Directory(staged), ct).ConfigureAwait(false);
            foreach (var file in tree.Files)
            {
                var parent = file.Path.LastIndexOf('/') is var slash and > 0 ? $"{staged}/{file.Path[..slash]}" : staged;
                foreach (var folder in Ancestors(parent).Where(folders.Add))
                {
                    await writer.WriteEntryAsync(Directory(folder), ct).ConfigureAwait(false);
                }

                var source = store.Contains(file.Sha256) ? $"{layout.Store}/{file.Sha256}" : $"{upload}/{file.Sha256}";
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.HardLink, $"{staged}/{file.Path}") { LinkName = source, Mode = StoreMode }, ct).ConfigureAwait(false);
            }
        }

        archive.Position = 0;
        return archive;
    }

    private static IEnumerable<string> Ancestors(string folder)
    {
        var parts = folder.Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            yield return string.Join('/', parts[..i]);
        }
    }

    private static PaxTarEntry Directory(string name) => new(TarEntryType.Directory, name + "/") { Mode = StoreMode };
}
