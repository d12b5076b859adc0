using Docker.DotNet;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>How the command line words an engine error: the message, then the remedy on its own line, in terminal terms.</summary>
internal static class CliErrors
{
    public static async Task<int> PrintAsync(TextWriter stderr, DevLoopException error)
    {
        await stderr.WriteLineAsync(string.IsNullOrEmpty(error.StepName) ? $"error: {error.Message}" : $"error: {error.StepName} failed: {error.Message}").ConfigureAwait(false);
        foreach (var line in Remedies(error))
        {
            await stderr.WriteLineAsync(line).ConfigureAwait(false);
        }

        return 1;
    }

    private static IEnumerable<string> Remedies(DevLoopException error)
    {
        if (error.Remedy is { Length: > 0 } remedy)
        {
            yield return remedy;
        }

        switch (error.Action)
        {
            case RemedyAction.BringClusterUp:
                yield return "Run 'openshell-dev deploy' (or 'openshell-dev cluster up'): it bootstraps a missing or unhealthy cluster.";
                break;
            case RemedyAction.RecreateCluster:
                yield return "Recreate the cluster: 'openshell-dev cluster down --volumes', then 'openshell-dev deploy'.";
                break;
            case RemedyAction.WaitForCluster:
                yield return "Bring the cluster up first with 'openshell-dev cluster up'.";
                break;
            case RemedyAction.DeployAgain:
                yield return "The deploy state was not updated for the failed step; fix the cause and run 'openshell-dev deploy' again.";
                break;
        }

        if (error.InnerException is DockerApiException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            yield return $"Check that the Docker engine at {DockerEngine.Endpoint} is running and reachable.";
        }
    }
}
