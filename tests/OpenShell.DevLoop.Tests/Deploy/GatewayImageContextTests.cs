using System.Formats.Tar;
using OpenShell.DevLoop.Builders;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Deploy;

public sealed class GatewayImageContextTests
{
    [Theory]
    [InlineData("openshell-server", true)]
    [InlineData("openshell-server.dll", true)]
    [InlineData("openshell-server.deps.json", true)]
    [InlineData("OpenShell.Core.dll", true)]
    [InlineData("OpenShell.ServiceDefaults.dll", true)]
    [InlineData("System.Private.CoreLib.dll", false)]
    [InlineData("libcoreclr.so", false)]
    [InlineData("Grpc.AspNetCore.Server.dll", false)]
    public void The_app_layer_holds_only_the_gateways_own_files(string file, bool app) =>
        Assert.Equal(app, GatewayImageBuilder.IsAppFile(file));

    [Fact]
    public async Task Context_splits_runtime_and_app_keeps_modes_and_is_reproducible()
    {
        using var publish = new TempDirectory("gateway-publish");
        File.WriteAllText(publish.Combine("openshell-server"), "binary");
        File.SetUnixFileMode(publish.Combine("openshell-server"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(publish.Combine("OpenShell.Core.dll"), "core");
        File.WriteAllText(publish.Combine("System.Runtime.dll"), "runtime");
        Directory.CreateDirectory(publish.Combine("de"));
        File.WriteAllText(publish.Combine("de", "OpenShell.Core.resources.dll"), "satellite");

        var first = await ContextAsync(publish.Path);
        File.SetLastWriteTimeUtc(publish.Combine("System.Runtime.dll"), DateTime.UtcNow.AddHours(1));
        var second = await ContextAsync(publish.Path);

        Assert.Equal(first, second);
        using var reader = new TarReader(new MemoryStream(first));
        var entries = new Dictionary<string, TarEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries[entry.Name] = entry;
        }

        Assert.Contains("Dockerfile", entries.Keys);
        Assert.Equal((UnixFileMode)0b111_101_101, entries["app/openshell-server"].Mode);
        Assert.Contains("app/OpenShell.Core.dll", entries.Keys);
        Assert.Contains("runtime/System.Runtime.dll", entries.Keys);
        Assert.Contains("runtime/de/OpenShell.Core.resources.dll", entries.Keys);
    }

    private static async Task<byte[]> ContextAsync(string publishDirectory)
    {
        using var buffer = new MemoryStream();
        await GatewayImageBuilder.WriteContextAsync(RepositoryPaths.Root, publishDirectory, buffer);
        return buffer.ToArray();
    }
}
