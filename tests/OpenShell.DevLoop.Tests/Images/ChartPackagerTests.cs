using System.Formats.Tar;
using System.IO.Compression;
using OpenShell.DevLoop.Images;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

public sealed class ChartPackagerTests
{
    private static void WriteChart(string root, string values = "replicas: 1\n")
    {
        Directory.CreateDirectory(Path.Combine(root, "templates"));
        File.WriteAllText(Path.Combine(root, "Chart.yaml"), "apiVersion: v2\nname: openshell\nversion: 0.1.0 # the chart\n");
        File.WriteAllText(Path.Combine(root, "values.yaml"), values);
        File.WriteAllText(Path.Combine(root, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  r: \"{{ .Values.replicas }}\"\n");
        File.WriteAllText(Path.Combine(root, ".helmignore"), "*.bak\n.git/\n");
        File.WriteAllText(Path.Combine(root, "notes.bak"), "ignored");
    }

    [Fact]
    public async Task Same_chart_gives_same_bytes_even_when_file_times_differ()
    {
        using var temp = new TempDirectory("chart");
        WriteChart(temp.Combine("chart"));

        var first = await ChartPackager.PackAsync(temp.Combine("chart"), temp.Combine("out1"));
        foreach (var file in Directory.GetFiles(temp.Combine("chart"), "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
        }

        var second = await ChartPackager.PackAsync(temp.Combine("chart"), temp.Combine("out2"));

        Assert.Equal("openshell-0.1.0.tgz", Path.GetFileName(first.Path));
        Assert.Equal(await File.ReadAllBytesAsync(first.Path), await File.ReadAllBytesAsync(second.Path));
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(64, first.Sha256.Length);
    }

    [Fact]
    public async Task A_changed_chart_gives_a_different_checksum()
    {
        using var temp = new TempDirectory("chart");
        WriteChart(temp.Combine("a"));
        WriteChart(temp.Combine("b"), "replicas: 2\n");

        var a = await ChartPackager.PackAsync(temp.Combine("a"), temp.Combine("out-a"));
        var b = await ChartPackager.PackAsync(temp.Combine("b"), temp.Combine("out-b"));

        Assert.NotEqual(a.Sha256, b.Sha256);
    }

    [Fact]
    public async Task Layout_is_helms_with_ignored_files_left_out()
    {
        using var temp = new TempDirectory("chart");
        WriteChart(temp.Combine("chart"));

        var chart = await ChartPackager.PackAsync(temp.Combine("chart"), temp.Combine("out"));

        var names = new List<string>();
        await using (var gz = new GZipStream(File.OpenRead(chart.Path), CompressionMode.Decompress))
        {
            using var reader = new TarReader(gz);
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name);
            }
        }

        Assert.Equal(["openshell/.helmignore", "openshell/Chart.yaml", "openshell/templates/cm.yaml", "openshell/values.yaml"], names);
    }

    [Fact]
    public async Task Helm_renders_the_packaged_chart()
    {
        using var temp = new TempDirectory("chart");
        WriteChart(temp.Combine("chart"));
        var chart = await ChartPackager.PackAsync(temp.Combine("chart"), temp.Combine("out"));

        var helm = await KubeTools.HelmAsync();
        var result = (await TestProcess.RunAsync(helm, ["template", "t", chart.Path, "--set", "replicas=3"], temp.Path)).EnsureSuccess("helm template");

        Assert.Contains("r: \"3\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_without_chart_yaml_is_refused()
    {
        using var temp = new TempDirectory("chart");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ChartPackager.PackAsync(temp.Path, temp.Combine("out")));

        Assert.Contains("Chart.yaml", error.Message, StringComparison.Ordinal);
    }
}
