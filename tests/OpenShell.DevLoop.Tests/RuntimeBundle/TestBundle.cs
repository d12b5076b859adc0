using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

/// <summary>
/// Crafts bundle tarballs with System.Formats.Tar, including ones the packer would never write: the payload, the
/// manifest and extra raw entries can each be bent independently.
/// </summary>
internal sealed class TestBundle
{
    public const string DefaultTop = "openshell-gpu-runtime-bundle_0.1.0_amd64";

    public string Top { get; set; } = DefaultTop;

    public string Architecture { get; set; } = "amd64";

    /// <summary>Regular payload files, relative to the bundle directory, written in this order.</summary>
    public List<(string Path, byte[] Content, UnixFileMode Mode)> Files { get; } =
    [
        ("etc/nvidia-container-runtime/config.toml", Encoding.UTF8.GetBytes("[nvidia-container-cli]\nldconfig = \"@/sbin/ldconfig\"\n"), Mode644),
        ("usr/bin/nvidia-cdi-hook", Binary("cdi-hook", 3000), Mode755),
        ("usr/bin/nvidia-container-cli", Binary("cli", 5000), Mode755),
        ("usr/bin/nvidia-container-runtime", Binary("runtime", 7000), Mode755),
        ("usr/bin/nvidia-container-runtime-hook", Binary("runtime-hook", 2000), Mode755),
        ("usr/bin/nvidia-ctk", Binary("ctk", 9000), Mode755),
        ("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8", Binary("lib", 20000), Mode644),
    ];

    /// <summary>Payload symlinks (path, target).</summary>
    public List<(string Path, string Target)> Symlinks { get; } =
    [
        ("usr/lib/x86_64-linux-gnu/libnvidia-container.so.1", "libnvidia-container.so.1.17.8"),
    ];

    /// <summary>Raw entries written after the payload (before a trailing manifest).</summary>
    public List<TarEntry> Extra { get; } = [];

    /// <summary>Edits the generated manifest JSON before it is written.</summary>
    public Action<JsonObject>? EditManifest { get; set; }

    /// <summary>Replaces the manifest bytes entirely.</summary>
    public byte[]? ManifestBytes { get; set; }

    public bool OmitManifest { get; set; }

    public bool ManifestLast { get; set; }

    public bool Gzip { get; set; } = true;

    /// <summary>Edits the finished tarball bytes (truncation, corruption).</summary>
    public Func<byte[], byte[]>? EditBytes { get; set; }

    public static UnixFileMode Mode644 => UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static UnixFileMode Mode755 => Mode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static byte[] Binary(string seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed.GetHashCode(StringComparison.Ordinal)).NextBytes(bytes);
        return bytes;
    }

    public void RemoveFile(string path)
    {
        var removed = Files.RemoveAll(f => f.Path == path) + Symlinks.RemoveAll(s => s.Path == path);
        if (removed == 0)
        {
            throw new InvalidOperationException($"no payload entry {path}");
        }
    }

    /// <summary>The manifest in the producer schema, as OpenShell's release pipeline writes it.</summary>
    public JsonObject BuildManifest()
    {
        var files = new JsonArray();
        foreach (var (path, content, _) in Files)
        {
            files.Add(new JsonObject
            {
                ["path"] = path,
                ["entry_type"] = "file",
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
                ["size"] = content.Length,
            });
        }

        foreach (var (path, target) in Symlinks)
        {
            files.Add(new JsonObject { ["path"] = path, ["entry_type"] = "symlink", ["target"] = target });
        }

        return new JsonObject
        {
            ["schema_version"] = 1,
            ["bundle_name"] = "openshell-gpu-runtime-bundle",
            ["bundle_version"] = "0.1.0",
            ["architecture"] = Architecture,
            ["created_at"] = "2026-03-18T12:34:56Z",
            ["components"] = new JsonObject
            {
                ["nvidia_container_toolkit"] = new JsonObject { ["version"] = "1.17.8-openshell.1", ["commit"] = "0123456789abcdef0123456789abcdef01234567" },
                ["libnvidia_container"] = new JsonObject { ["version"] = "1.17.8-openshell.1", ["commit"] = "89abcdef0123456789abcdef0123456789abcdef" },
            },
            ["files"] = files,
        };
    }

    public string Write(string path)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, Top + "/"));
            if (!ManifestLast)
            {
                WriteManifest(writer);
            }

            foreach (var (file, content, mode) in Files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{Top}/{file}") { DataStream = new MemoryStream(content), Mode = mode });
            }

            foreach (var (link, target) in Symlinks)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, $"{Top}/{link}") { LinkName = target });
            }

            foreach (var entry in Extra)
            {
                writer.WriteEntry(entry);
            }

            if (ManifestLast)
            {
                WriteManifest(writer);
            }
        }

        var bytes = tar.ToArray();
        if (Gzip)
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(bytes);
            }

            bytes = compressed.ToArray();
        }

        if (EditBytes is not null)
        {
            bytes = EditBytes(bytes);
        }

        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static PaxTarEntry Regular(string name, byte[] content) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };

    public static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };

    private void WriteManifest(TarWriter writer)
    {
        if (OmitManifest)
        {
            return;
        }

        var bytes = ManifestBytes;
        if (bytes is null)
        {
            var manifest = BuildManifest();
            EditManifest?.Invoke(manifest);
            bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        }

        writer.WriteEntry(Regular($"{Top}/manifest.json", bytes));
    }
}
