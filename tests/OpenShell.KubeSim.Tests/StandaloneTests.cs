using System.Diagnostics;
using k8s;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests;

/// <summary>The simulator as its own process: prints its URL when ready, serves the kubeconfig it wrote, stops cleanly on SIGTERM.</summary>
public sealed class StandaloneTests
{
    [Fact]
    public async Task Standalone_process_serves_and_stops_cleanly_on_SIGTERM()
    {
        using var folder = new TempDirectory("kubesim-standalone");
        var kubeconfig = folder.Combine("kubeconfig.yaml");
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "OpenShell.KubeSim.dll"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kubeconfig", kubeconfig })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            }
            while (line is not null && !line.Contains("listening on", StringComparison.Ordinal));

            Assert.NotNull(line);
            Assert.Contains($"https://127.0.0.1:{port}/", line, StringComparison.Ordinal);

            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            var namespaces = await client.CoreV1.ListNamespaceAsync();
            Assert.Contains(namespaces.Items, n => n.Metadata.Name == "kube-system");

            (await TestProcess.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])).EnsureSuccess("kill -TERM");
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
