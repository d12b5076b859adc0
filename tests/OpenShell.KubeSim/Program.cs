using OpenShell.KubeSim.Hosting;

namespace OpenShell.KubeSim;

/// <summary>Standalone entry point: <c>--port 6443 --kubeconfig PATH</c>, or k3s's <c>server [flags]</c> in the container.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        KubeSimOptions options;
        try
        {
            options = SimulatorCommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n{SimulatorCommandLine.Usage}");
            return 2;
        }

        if (SimulatorCommandLine.IsK3sServer(args) && options.ManifestsDirectory is { } manifests)
        {
            Directory.CreateDirectory(manifests); // k3s creates its auto-deploy folder too
        }

        options.ConsoleLogging = true;
        await using var server = await KubeSimServer.StartAsync(options);
        Console.WriteLine($"Kubernetes API simulator listening on {server.Url} (kubeconfig: {server.KubeconfigPath})");
        await server.WaitForShutdownAsync();
        return 0;
    }
}
