using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.AppHost.Sandboxes;

/// <summary>The sandbox commands: thin handlers over <see cref="SandboxDashboard"/>, every outcome a success or our failure message.</summary>
internal static class SandboxCommands
{
    internal const string Create = "create-sandbox";
    internal const string RestartStale = "restart-stale-sandboxes";
    internal const string Delete = "delete-sandbox";
    internal const string Restart = "restart-sandbox";

    /// <summary>The commands the gateway gets.</summary>
    internal static readonly IReadOnlyList<string> OnGateway = [Create, RestartStale];

    /// <summary>The argument of <see cref="Create"/>: <c>--from</c>.</summary>
    internal const string FromArgument = "from";

    /// <summary>The optional argument of <see cref="Create"/>: the sandbox's name.</summary>
    internal const string NameArgument = "name";

    internal static Task<ExecuteCommandResult> CreateAsync(ExecuteCommandContext context) => RunAsync(context, async dashboard =>
    {
        var ready = await dashboard.CreateAsync(Optional(context, FromArgument), Optional(context, NameArgument), context.CancellationToken).ConfigureAwait(false);
        return $"sandbox {ready.Sandbox.Name} is {SandboxDiagnosis.PhaseName(ready.Sandbox.Phase)}: supervisor {ready.SupervisorVersion}, sha256 {ready.SupervisorSha256}";
    });

    internal static Task<ExecuteCommandResult> RestartStaleAsync(ExecuteCommandContext context) => RunAsync(context, async dashboard =>
    {
        var restarted = await dashboard.RestartStaleAsync(context.CancellationToken).ConfigureAwait(false);
        return restarted.Count == 0 ? "no sandbox runs a stale supervisor" : $"restarted {string.Join(", ", restarted)}";
    });

    internal static Task<ExecuteCommandResult> DeleteAsync(ExecuteCommandContext context, OpenShellSandboxResource resource) => RunAsync(context, async dashboard =>
    {
        var name = SandboxOf(context, resource);
        await dashboard.DeleteAsync(name, context.CancellationToken).ConfigureAwait(false);
        return $"deleted {name}";
    });

    internal static Task<ExecuteCommandResult> RestartAsync(ExecuteCommandContext context, OpenShellSandboxResource resource) => RunAsync(context, async dashboard =>
    {
        var ready = await dashboard.RestartAsync(SandboxOf(context, resource), context.CancellationToken).ConfigureAwait(false);
        return $"sandbox {ready.Sandbox.Name} restarted: supervisor sha256 {ready.SupervisorSha256}";
    });

    /// <summary>Only a sandbox the dashboard shows can be acted on.</summary>
    internal static ResourceCommandState WhenShown(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.IsHidden ? ResourceCommandState.Hidden : ResourceCommandState.Enabled;

    /// <summary>An argument's value; a caller may leave optional ones out entirely.</summary>
    private static string? Optional(ExecuteCommandContext context, string name) =>
        context.Arguments is { } arguments && arguments.TryGetByName(name, out var input) ? input.Value : null;

    private static string SandboxOf(ExecuteCommandContext context, OpenShellSandboxResource resource) =>
        resource.SandboxOf(context.ResourceName)
            ?? throw new SandboxException($"'{context.ResourceName}' is not a sandbox: use the command on a sandbox under the gateway");

    private static async Task<ExecuteCommandResult> RunAsync(ExecuteCommandContext context, Func<SandboxDashboard, Task<string>> action)
    {
        try
        {
            return CommandResults.Success(await action(context.Services.GetRequiredService<SandboxDashboard>()).ConfigureAwait(false));
        }
        catch (DevLoopException ex)
        {
            return CommandResults.Failure(ex.Remedy is { Length: > 0 } remedy ? $"{ex.Message}\n{remedy}" : ex.Message);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return CommandResults.Canceled();
        }
        catch (Exception ex)
        {
            // Anything else is a bug, but the dashboard still gets our words rather than "Unhandled exception".
            return CommandResults.Failure(DevLoopException.Wrap(SandboxException.Step, ex).Message);
        }
    }
}
