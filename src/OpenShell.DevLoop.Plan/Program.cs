using System.CommandLine;
using System.Diagnostics;
using OpenShell.DevLoop.Cli;
using OpenShell.DevLoop.Cli.Commands;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;

// openshell-dev-plan plan|fingerprint …: openshell-dev's planning commands, compiled ahead of time (see the project file).
// Only an engine on this machine's unix socket is asked directly; for any other (tcp://, ssh://, a context naming one)
// the command is handed to openshell-dev beside this binary, so the plan is the same either way.
string? socket;
try
{
    var connection = DockerEngine.Connection();
    socket = connection.IsLocal ? connection.Host.AbsolutePath : null;
}
catch (EngineConnectionException)
{
    // openshell-dev words what is wrong with the engine's settings.
    socket = null;
}

if (socket is null)
{
    return await OpenShellDev.RunAsync(args);
}

var root = new RootCommand("openshell-dev-plan: openshell-dev's plan and fingerprint commands, compiled ahead of time.");
root.Options.Add(CliOptions.Offline);
PlanningCommands.Register(root, Console.Out, Console.Error, new EngineSocketContainerLocator(socket));
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

/// <summary>openshell-dev beside this binary, run with the same arguments and streams.</summary>
internal static class OpenShellDev
{
    public static async Task<int> RunAsync(string[] args)
    {
        var folder = Path.GetDirectoryName(Environment.ProcessPath) ?? AppContext.BaseDirectory;
        var path = Path.Combine(folder, "openshell-dev");
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync(
                $"error: openshell-dev-plan asks only a Docker engine on this machine's socket; for this engine it runs openshell-dev, which is not in {folder}. "
                + "Publish both into one folder, or run 'openshell-dev plan'.").ConfigureAwait(false);
            return 1;
        }

        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
