using System.Formats.Tar;
using OpenShell.DevLoop.Builders;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Builders;

/// <summary>The gateway image's content label follows the context's files, not the tar encoding of one process.</summary>
public sealed class GatewayContextFingerprintTests
{
    [Fact]
    public async Task The_same_files_encoded_differently_have_one_fingerprint_and_an_edit_changes_it()
    {
        using var publish = new TempDirectory("gateway-context");
        await File.WriteAllTextAsync(publish.Combine("openshell-server"), "binary");
        Directory.CreateDirectory(publish.Combine("runtimes"));
        await File.WriteAllTextAsync(publish.Combine("runtimes", "libcoreclr.so"), "runtime");

        var context = await ContextAsync(publish.Path);
        var fingerprint = await GatewayImageBuilder.ContextFingerprintAsync(new MemoryStream(context));

        // Another process writes other PAX header names; a GNU encoding of the same entries stands in for that here.
        var reencoded = await ReencodeAsync(context);
        Assert.NotEqual(context, reencoded);
        Assert.Equal(fingerprint, await GatewayImageBuilder.ContextFingerprintAsync(new MemoryStream(reencoded)));
        Assert.Equal(fingerprint, await GatewayImageBuilder.ContextFingerprintAsync(new MemoryStream(await ContextAsync(publish.Path))));

        await File.WriteAllTextAsync(publish.Combine("runtimes", "libcoreclr.so"), "runtime, edited");
        Assert.NotEqual(fingerprint, await GatewayImageBuilder.ContextFingerprintAsync(new MemoryStream(await ContextAsync(publish.Path))));
    }

    private static async Task<byte[]> ContextAsync(string publishDirectory)
    {
        using var buffer = new MemoryStream();
        await GatewayImageBuilder.WriteContextAsync(RepositoryPaths.Root, publishDirectory, buffer);
        return buffer.ToArray();
    }

    private static async Task<byte[]> ReencodeAsync(byte[] context)
    {
        using var output = new MemoryStream();
        using (var reader = new TarReader(new MemoryStream(context)))
        await using (var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
            {
                await writer.WriteEntryAsync(new GnuTarEntry(entry));
            }
        }

        return output.ToArray();
    }
}
