using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Controllers;

/// <summary>
/// Renders a HelmChart's chart with the real <c>helm template</c>, as k3s's helm-install Job would install it: the chart
/// is <c>spec.chartContent</c> (a base64 .tgz) or a file of the static charts folder named by <c>spec.chart</c>
/// (<c>https://%{KUBERNETES_API}%/static/charts/NAME.tgz</c>); the values are <c>spec.valuesContent</c>.
/// </summary>
internal sealed class HelmTemplate(string helmBinary, string staticChartsDirectory)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>The chart file a HelmChart names, or null when it names none the simulator holds (then it is not rendered).</summary>
    public string? ChartFile(JsonObject chart, string scratch)
    {
        if (Json.Str(Json.At(chart, "spec.chartContent")) is { Length: > 0 } content)
        {
            var path = Path.Combine(scratch, "chart.tgz");
            File.WriteAllBytes(path, Convert.FromBase64String(content));
            return path;
        }

        var url = Json.Str(Json.At(chart, "spec.chart")) ?? "";
        var marker = url.IndexOf("/static/charts/", StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        var file = Path.Combine(staticChartsDirectory, Path.GetFileName(url[(marker + "/static/charts/".Length)..]));
        return File.Exists(file) ? file : null;
    }

    /// <summary>Renders the chart into objects; a failure is a <see cref="InvalidOperationException"/> with helm's words.</summary>
    public async Task<List<JsonObject>> RenderAsync(string release, string ns, string chartFile, string? valuesContent, string scratch, CancellationToken ct)
    {
        var values = Path.Combine(scratch, "values.yaml");
        File.WriteAllText(values, valuesContent ?? "");
        var start = new ProcessStartInfo(helmBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "template", release, chartFile, "--namespace", ns, "--values", values })
        {
            start.ArgumentList.Add(arg);
        }

        // helm keeps caches and config under HOME; the node's may be read-only or absent.
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(scratch, "data");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{helmBinary} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"helm template {release} did not finish within {s_timeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm template {release} failed ({process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        return Yaml.ReadDocuments(await stdout.ConfigureAwait(false));
    }
}
