using System.Formats.Tar;
using System.IO.Compression;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

public sealed class AppLayerWriterTests
{
    private static readonly AppCopyInstruction s_copy = AppCopyInstruction.Find("FROM base\nCOPY --chown=10001:10001 app/ /opt/openshell/server/\n")!;

    [Fact]
    public async Task The_same_files_give_the_same_bytes_whatever_their_times_and_writer()
    {
        using var publish = Publish();
        var first = await AppLayerWriter.WriteAsync(publish.Path, s_copy);
        File.SetLastWriteTimeUtc(publish.Combine("openshell-server.dll"), DateTime.UtcNow.AddHours(3));
        File.SetLastWriteTimeUtc(publish.Combine("System.Runtime.dll"), DateTime.UtcNow.AddHours(3));
        var second = await AppLayerWriter.WriteAsync(publish.Path, s_copy);

        Assert.Equal(first.Compressed.ToArray(), second.Compressed.ToArray());
        Assert.Equal(first.DiffId, second.DiffId);
        Assert.Equal(RegistryClient.DigestOf(first.Compressed.Span), first.Digest);
    }

    [Fact]
    public async Task Holds_only_the_app_files_under_the_destination_with_fixed_owner_time_and_modes()
    {
        using var publish = Publish();

        var layer = await AppLayerWriter.WriteAsync(publish.Path, s_copy);

        var uncompressed = Decompress(layer);
        Assert.Equal(layer.DiffId, RegistryClient.DigestOf(uncompressed));
        var entries = new List<TarEntry>();
        using (var reader = new TarReader(new MemoryStream(uncompressed)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                Assert.Equal(TarEntryFormat.Ustar, entry.Format);
                entries.Add(entry);
            }
        }

        Assert.Equal(
            ["opt/", "opt/openshell/", "opt/openshell/server/", "opt/openshell/server/OpenShell.Core.dll", "opt/openshell/server/openshell-server", "opt/openshell/server/openshell-server.dll"],
            entries.Select(e => e.Name));
        Assert.Equal(3, layer.Files);
        Assert.All(entries, e => Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), e.ModificationTime));
        Assert.All(entries.Take(2), e => Assert.Equal((0, 0), (e.Uid, e.Gid)));
        Assert.All(entries.Skip(2), e => Assert.Equal((10001, 10001), (e.Uid, e.Gid)));
        Assert.Equal((UnixFileMode)0b111_101_101, entries.Single(e => e.Name.EndsWith("/openshell-server", StringComparison.Ordinal)).Mode);
        Assert.Equal((UnixFileMode)0b110_100_100, entries.Single(e => e.Name.EndsWith(".dll", StringComparison.Ordinal) && e.Name.Contains("Core", StringComparison.Ordinal)).Mode);
    }

    [Fact]
    public async Task A_changed_assembly_changes_the_layer()
    {
        using var publish = Publish();
        var before = await AppLayerWriter.WriteAsync(publish.Path, s_copy);
        await File.WriteAllTextAsync(publish.Combine("openshell-server.dll"), "server two");

        var after = await AppLayerWriter.WriteAsync(publish.Path, s_copy);

        Assert.NotEqual(before.DiffId, after.DiffId);
        Assert.NotEqual(before.Digest, after.Digest);
    }

    [Fact]
    public async Task A_publish_without_the_app_is_refused()
    {
        using var publish = new TempDirectory("app-layer");
        await File.WriteAllTextAsync(publish.Combine("System.Runtime.dll"), "runtime");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AppLayerWriter.WriteAsync(publish.Path, s_copy));

        Assert.Contains("no application file", error.Message, StringComparison.Ordinal);
    }

    internal static TempDirectory Publish()
    {
        var publish = new TempDirectory("app-layer");
        File.WriteAllText(publish.Combine("openshell-server"), "#!/bin/sh\n");
        File.SetUnixFileMode(publish.Combine("openshell-server"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(publish.Combine("openshell-server.dll"), "server one");
        File.WriteAllText(publish.Combine("OpenShell.Core.dll"), "core");
        File.WriteAllText(publish.Combine("System.Runtime.dll"), "runtime");
        Directory.CreateDirectory(publish.Combine("de"));
        File.WriteAllText(publish.Combine("de", "OpenShell.Core.resources.dll"), "satellite");
        return publish;
    }

    private static byte[] Decompress(AppLayer layer)
    {
        using var gzip = new GZipStream(new MemoryStream(layer.Compressed.ToArray()), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return buffer.ToArray();
    }
}
