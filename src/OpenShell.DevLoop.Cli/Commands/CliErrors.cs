using Docker.DotNet;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>How the command line words an engine error: the message, then the remedy on its own line, in terminal terms.</summary>
internal static class CliErrors
{
    /// <summary>
    /// Runs a command's action; the failures a command can expect become lines on stderr and exit code 1, in this order:
    /// the command's own case (<paramref name="ownCase"/> returns the lines to print, or null when it is not one), a runtime
    /// bundle failure as it is (<c>runtime bundle validation failed: …</c>, the line OpenShell prints), any other engine
    /// error with its step and remedy, an invalid setting or argument, and an unreachable or failing Docker engine.
    /// Anything else is a bug and is not caught.
    /// </summary>
    public static async Task<int> RunAsync(TextWriter stderr, Func<Task<int>> action, Func<Exception, IReadOnlyList<string>?>? ownCase = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(action);
        IReadOnlyList<string>? own = null;
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ownCase is not null && (own = ownCase(ex)) is not null)
        {
            foreach (var line in own)
            {
                await stderr.WriteLineAsync(line).ConfigureAwait(false);
            }

            return 1;
        }
        catch (RuntimeBundleException ex)
        {
            await PrintBundleAsync(stderr, ex).ConfigureAwait(false);
            return 1;
        }
        catch (DevLoopException ex)
        {
            return await PrintAsync(stderr, ex).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            await stderr.WriteLineAsync($"error: the Docker engine at {DockerEngine.Endpoint} failed: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// A runtime bundle failure as OpenShell prints it (the message alone), then its remedy on its own line when it has one
    /// (a full disk while staging); OpenShell's validation failures have none, so their output is unchanged.
    /// </summary>
    public static async Task PrintBundleAsync(TextWriter stderr, RuntimeBundleException error)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(error);
        await stderr.WriteLineAsync(error.Message).ConfigureAwait(false);
        if (error.Remedy is { Length: > 0 } remedy)
        {
            await stderr.WriteLineAsync(remedy).ConfigureAwait(false);
        }
    }

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

        if (error.InnerException is DockerApiException or HttpRequestException or System.Net.Sockets.SocketException || Engine.EngineDropped.Is(error.InnerException))
        {
            yield return $"Check that the Docker engine at {DockerEngine.Endpoint} is running and reachable.";
        }
    }
}
