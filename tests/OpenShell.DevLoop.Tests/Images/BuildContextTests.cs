using System.Formats.Tar;
using OpenShell.DevLoop.Images;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

public sealed class BuildContextTests
{
    internal static async Task<ClusterImageInputs> FakeInputsAsync(TempDirectory temp)
    {
        var bundle = temp.Combine("bundle", "nvidia-runtime");
        Directory.CreateDirectory(Path.Combine(bundle, "usr", "bin"));
        Directory.CreateDirectory(Path.Combine(bundle, "usr", "lib", "x86_64-linux-gnu"));
        await File.WriteAllTextAsync(Path.Combine(bundle, "manifest.json"), "{}");
        await File.WriteAllTextAsync(Path.Combine(bundle, "usr", "bin", "nvidia-ctk"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(bundle, "usr", "bin", "nvidia-ctk"), BuildContextWriter.Executable);
        await File.WriteAllTextAsync(Path.Combine(bundle, "usr", "lib", "x86_64-linux-gnu", "libnvidia-container.so.1.17.8"), "lib");
        File.CreateSymbolicLink(Path.Combine(bundle, "usr", "lib", "x86_64-linux-gnu", "libnvidia-container.so.1"), "libnvidia-container.so.1.17.8");

        var supervisor = temp.Combine("openshell-sandbox");
        await File.WriteAllTextAsync(supervisor, "#!/bin/sh\necho supervisor\n");
        var chartDir = temp.Combine("chart");
        Directory.CreateDirectory(chartDir);
        await File.WriteAllTextAsync(Path.Combine(chartDir, "Chart.yaml"), "apiVersion: v2\nname: openshell\nversion: 0.1.0\n");
        var chart = await ChartPackager.PackAsync(chartDir, temp.Combine("charts"));
        return new ClusterImageInputs(Path.Combine(RepositoryPaths.Root, "deploy"), bundle, chart, supervisor);
    }

    private static async Task<Dictionary<string, TarEntry>> EntriesAsync(ClusterImageInputs inputs)
    {
        using var buffer = new MemoryStream();
        await ClusterImageBuilder.WriteContextAsync(inputs, buffer);
        buffer.Position = 0;
        var entries = new Dictionary<string, TarEntry>(StringComparer.Ordinal);
        using var reader = new TarReader(buffer);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry.Name, entry);
        }

        return entries;
    }

    [Fact]
    public async Task Context_has_the_layout_the_dockerfile_copies_with_modes()
    {
        using var temp = new TempDirectory("context");
        var inputs = await FakeInputsAsync(temp);

        var entries = await EntriesAsync(inputs);

        Assert.Equal(BuildContextWriter.Executable, entries["bin/openshell-sandbox"].Mode);
        Assert.Equal(BuildContextWriter.Executable, entries["cluster-entrypoint.sh"].Mode);
        Assert.Equal(BuildContextWriter.Executable, entries["cluster-healthcheck.sh"].Mode);
        Assert.Equal(BuildContextWriter.Executable, entries["runtime-bundle/usr/bin/nvidia-ctk"].Mode);
        Assert.Equal(BuildContextWriter.Regular, entries["runtime-bundle/usr/lib/x86_64-linux-gnu/libnvidia-container.so.1.17.8"].Mode);
        Assert.Equal(TarEntryType.SymbolicLink, entries["runtime-bundle/usr/lib/x86_64-linux-gnu/libnvidia-container.so.1"].EntryType);
        Assert.False(entries.ContainsKey("runtime-bundle/manifest.json"));
        Assert.True(entries.ContainsKey("Dockerfile"));
        Assert.True(entries.ContainsKey("charts/openshell-0.1.0.tgz"));
        Assert.True(entries.ContainsKey("manifests/openshell-helmchart.yaml"));
        Assert.True(entries.ContainsKey("gpu-manifests/openshell-gpu-runtimeclass.yaml"));
        using var sha = new StreamReader(entries["charts/openshell-0.1.0.tgz.sha256"].DataStream!);
        Assert.StartsWith(inputs.Chart.Sha256 + "  openshell-0.1.0.tgz", await sha.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_inputs_give_the_same_context_bytes()
    {
        using var temp = new TempDirectory("context");
        var inputs = await FakeInputsAsync(temp);

        using var first = new MemoryStream();
        await ClusterImageBuilder.WriteContextAsync(inputs, first);
        File.SetLastWriteTimeUtc(inputs.SupervisorBinary, DateTime.UtcNow.AddHours(-5));
        using var second = new MemoryStream();
        await ClusterImageBuilder.WriteContextAsync(inputs, second);

        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public async Task A_missing_supervisor_is_a_clear_error()
    {
        using var temp = new TempDirectory("context");
        var inputs = await FakeInputsAsync(temp) with { SupervisorBinary = temp.Combine("nope") };

        var error = await Assert.ThrowsAsync<ClusterImageBuildException>(() => ClusterImageBuilder.WriteContextAsync(inputs, Stream.Null));

        Assert.Contains("OpenShell.Sandbox", error.Message, StringComparison.Ordinal);
    }
}
