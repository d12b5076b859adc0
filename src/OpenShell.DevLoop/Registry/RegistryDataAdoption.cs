using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Registry;

/// <summary>What was copied out of a registry container that is about to be replaced.</summary>
/// <param name="Source">The old storage: a volume name (OpenShell's scripts leave an anonymous one) or a host folder.</param>
/// <param name="FilesCopied">Files copied into the dev registry's volume; files already there were kept as they were.</param>
public sealed record RegistryDataCopy(string Source, int FilesCopied);

/// <summary>
/// Copies the images of a registry container that is about to be replaced (OpenShell's <c>openshell-local-registry</c>
/// keeps them in an anonymous volume) into the dev registry's named volume: merging, never overwriting a file the
/// volume already holds (registry blobs are content-addressed, and our tags win). The old volume is left in place.
/// </summary>
public static class RegistryDataAdoption
{
    /// <summary>Where registry v2 keeps its data.</summary>
    public const string DataPath = "/var/lib/registry";

    // Copies every file and link missing from /to; prints one line per copied entry. Names in a registry's storage are
    // plain ([a-z0-9._/-]), so line-wise reading is safe; anything else fails the copy instead of skipping silently.
    private const string MergeScript =
        "set -eu\n" +
        "cd /from\n" +
        "find . -type d | while IFS= read -r d; do mkdir -p \"/to/$d\"; done\n" +
        "find . ! -type d | while IFS= read -r f; do\n" +
        "  if [ ! -e \"/to/$f\" ] && [ ! -L \"/to/$f\" ]; then cp -a \"$f\" \"/to/$f\"; echo \"$f\"; fi\n" +
        "done\n";

    /// <summary>
    /// The storage mounted at <see cref="DataPath"/> in <paramref name="container"/> when it is not
    /// <paramref name="volumeName"/>: a volume's name, or a bind mount's host folder; null when there is nothing to adopt.
    /// </summary>
    public static MountPoint? ForeignStorage(ContainerInspectResponse container, string volumeName)
    {
        ArgumentNullException.ThrowIfNull(container);
        var mount = container.Mounts?.FirstOrDefault(m => m.Destination == DataPath);
        return mount switch
        {
            null => null,
            { Type: "volume" } when mount.Name == volumeName => null,
            { Type: "volume" or "bind" } => mount,
            _ => null,
        };
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="volumeName"/> (created when missing) with a short-lived
    /// container of <paramref name="helperImage"/> (the registry image, which has a shell). The old container must be stopped.
    /// </summary>
    public static async Task<RegistryDataCopy> CopyAsync(IDockerClient docker, MountPoint source, string volumeName, string helperImage, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(volumeName);
        ArgumentException.ThrowIfNullOrEmpty(helperImage);

        var from = source.Type == "volume"
            ? new Mount { Type = "volume", Source = source.Name, Target = "/from", ReadOnly = true }
            : new Mount { Type = "bind", Source = source.Source, Target = "/from", ReadOnly = true };
        var describe = source.Type == "volume" ? $"volume {source.Name}" : $"folder {source.Source}";
        await docker.Volumes.CreateAsync(new VolumesCreateParameters { Name = volumeName }, ct).ConfigureAwait(false);
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = helperImage,
            Entrypoint = ["/bin/sh", "-c", MergeScript],
            Cmd = [],
            User = "0:0",
            NetworkDisabled = true,
            HostConfig = new HostConfig
            {
                Mounts = [from, new Mount { Type = "volume", Source = volumeName, Target = "/to" }],
                NetworkMode = "none",
            },
        }, ct).ConfigureAwait(false);
        try
        {
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct).ConfigureAwait(false);
            var wait = await docker.Containers.WaitContainerAsync(created.ID, ct).ConfigureAwait(false);
            var output = await ContainerLogs.TailAsync(docker, created.ID, int.MaxValue, ct).ConfigureAwait(false);
            if (wait.StatusCode != 0)
            {
                throw new InvalidOperationException(
                    $"Copying the old registry's images from {describe} into volume {volumeName} failed (exit code {wait.StatusCode}):\n" +
                    $"{Tail(output)}\nThe old registry container was left in place; fix the cause (disk space, the image {helperImage} needs /bin/sh, find and cp) and run again.");
            }

            var copied = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Count(l => l.StartsWith("./", StringComparison.Ordinal));
            return new RegistryDataCopy(source.Type == "volume" ? source.Name : source.Source, copied);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string Tail(string output)
    {
        var lines = output.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 20)));
    }
}
