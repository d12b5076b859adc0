using System.CommandLine;
using System.CommandLine.Help;
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

var root = new RootCommand("openshell-dev-plan: openshell-dev's plan and fingerprint commands, compiled ahead of time.");
root.Options.Add(CliOptions.Offline);
PlanningCommands.Register(root, Console.Out, Console.Error, socket is null ? new NotOnThisSocket() : new EngineSocketContainerLocator(socket));
var parsed = root.Parse(args);

// Only a well-formed planning command is handed over: anything else (another openshell-dev command, a typo, help) is
// answered here, so this binary never deploys or removes anything.
if (socket is null && parsed.Errors.Count == 0 && parsed.CommandResult.Command != root && parsed.Action is not HelpAction)
{
    return await OpenShellDev.RunAsync(args);
}

return await parsed.InvokeAsync().ConfigureAwait(false);

/// <summary>The locator of an engine this binary does not ask: its planning commands go to openshell-dev, so it is never used.</summary>
internal sealed class NotOnThisSocket : IClusterContainerLocator
{
    public Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default) =>
        Task.FromResult(new ClusterContainerLookup(null, "the engine is not on this machine's socket"));
}

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
