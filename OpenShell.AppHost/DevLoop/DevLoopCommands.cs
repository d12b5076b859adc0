using Microsoft.Extensions.DependencyInjection;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Session;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// The dashboard's commands: each asks the session and maps the outcome to <see cref="CommandResults.Success()"/> or
/// <see cref="CommandResults.Failure(string)"/> with our message; remedies are worded for the dashboard.
/// </summary>
internal static class DevLoopCommands
{
    /// <summary>Deploys one component.</summary>
    public static Task<ExecuteCommandResult> DeployAsync(ExecuteCommandContext context, string component) =>
        RunAsync(context, session => session.DeployAsync([component], null, context.CancellationToken));

    /// <summary>Recreates the cluster and redeploys everything.</summary>
    public static Task<ExecuteCommandResult> RecreateAsync(ExecuteCommandContext context) =>
        RunAsync(context, session => session.RecreateAsync(context.CancellationToken));

    /// <summary>Plans and deploys now; a failure carries its remedy, as the other commands' do.</summary>
    public static async Task<ExecuteCommandResult> DeployNowAsync(ExecuteCommandContext context)
    {
        var outcome = await Session(context.Services).DeployNowAsync(context.CancellationToken).ConfigureAwait(false);
        return outcome.Succeeded ? CommandResults.Success() : CommandResults.Failure(outcome.Error is { } error ? Describe(error) : outcome.Message);
    }

    /// <summary>Pauses or resumes the watcher.</summary>
    public static Task<ExecuteCommandResult> PauseAsync(ExecuteCommandContext context, bool pause)
    {
        var session = Session(context.Services);
        if (!session.IsWatching)
        {
            return Task.FromResult(CommandResults.Failure("The watcher is not running: see the watcher's state and console log."));
        }

        if (pause)
        {
            session.Pause();
        }
        else
        {
            session.Resume();
        }

        return Task.FromResult(CommandResults.Success());
    }

    /// <summary>Enabled once the cluster is up.</summary>
    public static ResourceCommandState WhenClusterReady(UpdateCommandStateContext context) =>
        Session(context.Services).IsClusterReady ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    /// <summary>The error with its remedy on its own line, in dashboard terms.</summary>
    public static string Describe(DevLoopException error)
    {
        var lines = new List<string> { string.IsNullOrEmpty(error.StepName) ? error.Message : $"{error.StepName} failed: {error.Message}" };
        if (error.Remedy is { Length: > 0 } remedy)
        {
            lines.Add(remedy);
        }

        lines.Add(error.Action switch
        {
            RemedyAction.BringClusterUp => "Use the cluster's Recreate command to bring it up again.",
            RemedyAction.RecreateCluster => "Use the cluster's Recreate command.",
            RemedyAction.WaitForCluster => "Wait for the cluster resource to be Running, or use its Recreate command.",
            RemedyAction.DeployAgain => "The last good deployment keeps running; fix the cause and save (the watcher retries), or run the command again.",
            _ => "",
        });
        return string.Join('\n', lines.Where(l => l.Length > 0));
    }

    private static async Task<ExecuteCommandResult> RunAsync(ExecuteCommandContext context, Func<DevSession, Task> action)
    {
        try
        {
            await action(Session(context.Services)).ConfigureAwait(false);
            return CommandResults.Success();
        }
        catch (DevLoopException ex)
        {
            return CommandResults.Failure(Describe(ex));
        }
        catch (OperationCanceledException)
        {
            return CommandResults.Failure("Cancelled; the work already started goes on and shows on the resources.");
        }
    }

    private static DevSession Session(IServiceProvider services) => services.GetRequiredService<DevLoopDashboard>().Session;
}
