using OpenShell.DevLoop.Builders;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

/// <summary>The base's key follows the runtime files, not the app's, and reuses a file's hash while its size and time stay.</summary>
public sealed class RuntimeFingerprintTests
{
    [Fact]
    public async Task Follows_the_runtime_files_only()
    {
        using var publish = AppLayerWriterTests.Publish();
        var before = await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path);

        await File.WriteAllTextAsync(publish.Combine("openshell-server.dll"), "server two");
        Assert.Equal(before, await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path));

        await File.WriteAllTextAsync(publish.Combine("de", "OpenShell.Core.resources.dll"), "satellite two");
        Assert.NotEqual(before, await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path));
    }

    [Fact]
    public async Task The_cache_gives_the_same_key_reuses_unchanged_files_and_rehashes_changed_ones()
    {
        using var publish = AppLayerWriterTests.Publish();
        using var scratch = new TempDirectory("osapp-hashes");
        var cache = scratch.Combine("runtime-sha256");
        var fresh = await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path);

        Assert.Equal(fresh, await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path, hashCache: cache));
        Assert.Equal(fresh, await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path, hashCache: cache));

        // A recorded hash is trusted while size and time match: proof that the file was not read again.
        var lines = await File.ReadAllLinesAsync(cache);
        var runtime = Array.FindIndex(lines, l => l.EndsWith(" System.Runtime.dll", StringComparison.Ordinal));
        var parts = lines[runtime].Split(' ');
        lines[runtime] = $"{parts[0]} {parts[1]} {new string('0', 64)} System.Runtime.dll";
        await File.WriteAllLinesAsync(cache, lines);
        Assert.NotEqual(fresh, await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path, hashCache: cache));

        // A changed file is hashed again.
        await File.WriteAllTextAsync(publish.Combine("System.Runtime.dll"), "runtime two");
        Assert.Equal(await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path), await GatewayImageBuilder.RuntimeFingerprintAsync(publish.Path, hashCache: cache));
    }
}
