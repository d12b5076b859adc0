using System.Formats.Tar;
using System.IO.Compression;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.ImageAssembly;

/// <summary>
/// Writes the application layer of an image: the publish folder's application files (<see cref="GatewayImageBuilder.IsAppFile"/>)
/// under the app <c>COPY</c>'s destination, as a tar whose bytes depend only on the files' names, contents and executable
/// bits: sorted, ustar headers (no PAX records, whose names carry the writer's process id), a fixed time, the
/// instruction's owner, modes 755 and 644; then gzip-compressed (deterministic for a given runtime: no name, no time in the header).
/// </summary>
internal static class AppLayerWriter
{
    private static readonly DateTimeOffset s_fixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The application files of <paramref name="publishDirectory"/> (top-level only), sorted by name.</summary>
    public static IReadOnlyList<string> AppFiles(string publishDirectory) =>
        [.. Directory.EnumerateFiles(publishDirectory).Select(Path.GetFileName).OfType<string>().Where(GatewayImageBuilder.IsAppFile).Order(StringComparer.Ordinal)];

    /// <summary>Writes the layer of <paramref name="publishDirectory"/>'s application files as <paramref name="copy"/> places them.</summary>
    /// <exception cref="InvalidOperationException">The folder holds no application file.</exception>
    public static async Task<AppLayer> WriteAsync(string publishDirectory, AppCopyInstruction copy, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(copy);
        var files = AppFiles(publishDirectory);
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"{publishDirectory} holds no application file (openshell-server*, OpenShell.*); the publish did not produce the gateway.");
        }

        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var folder = copy.Destination.Trim('/');
            var parts = folder.Length == 0 ? [] : folder.Split('/');
            for (var i = 0; i < parts.Length; i++)
            {
                // The destination itself is the instruction's (owner included); the folders above it are root's.
                var last = i == parts.Length - 1;
                await writer.WriteEntryAsync(Entry(TarEntryType.Directory, string.Join('/', parts[..(i + 1)]) + "/", BuildContextWriter.Executable,
                    last ? copy.Uid : 0, last ? copy.Gid : 0), ct).ConfigureAwait(false);
            }

            foreach (var name in files)
            {
                var path = Path.Combine(publishDirectory, name);
                var mode = (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0 ? BuildContextWriter.Executable : BuildContextWriter.Regular;
                var entry = Entry(TarEntryType.RegularFile, folder.Length == 0 ? name : $"{folder}/{name}", mode, copy.Uid, copy.Gid);
                await using var data = File.OpenRead(path);
                entry.DataStream = data;
                await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
            }
        }

        var uncompressed = tar.GetBuffer().AsMemory(0, (int)tar.Length);
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(uncompressed, ct).ConfigureAwait(false);
        }

        var bytes = compressed.ToArray();
        return new AppLayer(RegistryClient.DigestOf(uncompressed.Span), RegistryClient.DigestOf(bytes), bytes, files.Count);
    }

    private static UstarTarEntry Entry(TarEntryType type, string name, UnixFileMode mode, int uid, int gid) => new(type, name)
    {
        Mode = mode,
        Uid = uid,
        Gid = gid,
        ModificationTime = s_fixedTime,
    };
}
