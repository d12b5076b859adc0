using System.Formats.Tar;
using System.IO.Compression;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>Reads files out of local images (through a container that is never started) and out of pushed layers.</summary>
internal static class ImageFiles
{
    /// <summary>The ELF machine of an ELF file's header (e_machine: 62 x86-64, 183 AArch64).</summary>
    public static int ElfMachine(byte[] elf) =>
        elf.Length > 20 && elf[0] == 0x7f && elf[1] == (byte)'E' && elf[2] == (byte)'L' && elf[3] == (byte)'F' ? elf[18] | (elf[19] << 8) : -1;

    /// <summary>The content of <paramref name="path"/> (links followed) in <paramref name="image"/>.</summary>
    public static async Task<byte[]> ReadAsync(IDockerClient docker, string image, string path)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = $"ospub-read-{Guid.NewGuid():N}"[..24],
            Cmd = ["/nonexistent"],
        });
        try
        {
            // The archive API does not follow a final link: resolve it by hand, up to a few hops.
            for (var hop = 0; hop < 8; hop++)
            {
                var archive = await docker.Containers.GetArchiveFromContainerAsync(created.ID, new GetArchiveFromContainerParameters { Path = path }, statOnly: false);
                // Buffered: the engine's chunked stream does not support the tar reader's reads.
                using var tar = new MemoryStream();
                await using (archive.Stream)
                {
                    await archive.Stream.CopyToAsync(tar);
                }

                tar.Position = 0;
                using var reader = new TarReader(tar);
                var entry = await reader.GetNextEntryAsync() ?? throw new InvalidOperationException($"{image} has no {path}");
                if (entry.EntryType is TarEntryType.SymbolicLink)
                {
                    path = entry.LinkName.StartsWith('/') ? entry.LinkName : $"{Path.GetDirectoryName(path)}/{entry.LinkName}";
                    continue;
                }

                using var buffer = new MemoryStream();
                await entry.DataStream!.CopyToAsync(buffer);
                return buffer.ToArray();
            }

            throw new InvalidOperationException($"{path} in {image} is a chain of links");
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    /// <summary>
    /// The files named in <paramref name="paths"/> (without a leading slash) as the image in the registry holds them: its
    /// layers are read in order, so a later layer's file wins.
    /// </summary>
    public static async Task<Dictionary<string, byte[]>> ReadPushedAsync(RegistryClient registry, string repository, RegistryManifest manifest, params string[] paths)
    {
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(manifest.Content);
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            await using var blob = await registry.OpenBlobAsync(repository, layer.GetProperty("digest").GetString()!);
            await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                var name = entry.Name.TrimStart('.', '/');
                if (paths.Contains(name) && entry.DataStream is { } data)
                {
                    using var buffer = new MemoryStream();
                    await data.CopyToAsync(buffer);
                    found[name] = buffer.ToArray();
                }
            }
        }

        return found;
    }
}
