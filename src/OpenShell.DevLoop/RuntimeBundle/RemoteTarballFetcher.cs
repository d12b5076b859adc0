using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>
/// Brings a runtime bundle tarball that is already on the Docker engine's machine (upstream's
/// <c>--remote-runtime-bundle-tarball</c>) to this machine without SSH file access or a shell on that machine: a helper
/// container, created from an image the engine has and never started, bind-mounts the tarball's folder read-only, and the
/// engine's archive API streams the one file back. It is written next to its destination and renamed into place, so a
/// cut stream leaves no half tarball to verify (and no scratch file). The caller verifies it like any local tarball.
/// </summary>
public static partial class RemoteTarballFetcher
{
    private const string MountPoint = "/openshell-remote-bundle";

    /// <summary>Copies <paramref name="remotePath"/> on the engine's machine to <paramref name="destinationDirectory"/> and returns the local path.</summary>
    /// <param name="docker">The engine whose machine holds the tarball.</param>
    /// <param name="remotePath">The tarball's absolute path on the engine's machine.</param>
    /// <param name="helperImage">An image to create the helper container from (pulled when missing; never run).</param>
    /// <param name="destinationDirectory">The local folder the copy goes to (its file name is kept).</param>
    /// <param name="logger">One line with the size brought back.</param>
    /// <param name="ct">Cancels the copy.</param>
    /// <exception cref="RuntimeBundleException">The path is not absolute (<see cref="BundleRule.SourceNotConfigured"/>), or there is no such file on the engine's machine (<see cref="BundleRule.TarballNotFound"/>).</exception>
    public static async Task<string> FetchAsync(
        IDockerClient docker, string remotePath, string helperImage, string destinationDirectory, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentException.ThrowIfNullOrEmpty(helperImage);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(remotePath) || !remotePath.StartsWith('/') || remotePath.EndsWith('/'))
        {
            throw new RuntimeBundleException(BundleRule.SourceNotConfigured, null,
                $"--remote-runtime-bundle-tarball is \"{remotePath}\": give the tarball's absolute path on the Docker engine's machine (e.g. /home/me/bundles/openshell-gpu-runtime.tar.gz).");
        }

        var folder = Path.GetDirectoryName(remotePath)!.Replace('\\', '/');
        var fileName = Path.GetFileName(remotePath);
        await ImagePuller.EnsurePresentAsync(docker, helperImage, logger, ct: ct).ConfigureAwait(false);
        string id;
        try
        {
            id = (await docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = helperImage,
                Entrypoint = ["/bin/true"],
                Labels = new Dictionary<string, string> { ["dev.openshell.role"] = "remote-bundle-copy" },
                // A mount, not a bind string: the engine creates a missing bind-string folder on its machine, a mount it refuses.
                HostConfig = new HostConfig { Mounts = [new Mount { Type = "bind", Source = folder, Target = MountPoint, ReadOnly = true }] },
            }, ct).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.BadRequest && ex.ResponseBody.Contains("does not exist", StringComparison.Ordinal))
        {
            // The engine refuses a bind mount of a folder that does not exist on its machine.
            throw NotFound(remotePath, ex);
        }

        try
        {
            GetArchiveFromContainerResponse archive;
            try
            {
                archive = await docker.Containers.GetArchiveFromContainerAsync(id, new GetArchiveFromContainerParameters { Path = $"{MountPoint}/{fileName}" }, statOnly: false, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                throw NotFound(remotePath, ex);
            }

            Directory.CreateDirectory(destinationDirectory);
            var destination = Path.Combine(destinationDirectory, fileName);
            var partial = destination + $".{Guid.NewGuid():N}.part";
            var stream = partial + ".tar";
            try
            {
                // The engine's chunked stream does not serve the tar reader's reads: land the archive first, then unpack it.
                await using (archive.Stream)
                await using (var file = new FileStream(stream, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await archive.Stream.CopyToAsync(file, ct).ConfigureAwait(false);
                }

                await using (var tar = new FileStream(stream, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
                await using (var reader = new TarReader(tar))
                {
                    var entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
                    if (entry is not { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile, DataStream: { } data })
                    {
                        throw NotFound(remotePath, null);
                    }

                    await using var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    await data.CopyToAsync(file, ct).ConfigureAwait(false);
                    await file.FlushAsync(ct).ConfigureAwait(false);
                }

                File.Move(partial, destination, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
                File.Delete(stream);
            }

            LogFetched(logger, remotePath, new FileInfo(destination).Length, destination);
            return destination;
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // Upstream's words: its remote build checks the same path with the same message.
    private static RuntimeBundleException NotFound(string remotePath, Exception? inner) =>
        new(BundleRule.TarballNotFound, remotePath, $"tarball not found: {remotePath}", inner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime bundle {Remote} brought from the engine's machine: {Bytes} bytes to {Local}")]
    private static partial void LogFetched(ILogger logger, string remote, long bytes, string local);
}
