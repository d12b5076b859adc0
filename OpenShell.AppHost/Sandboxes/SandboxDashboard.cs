using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.AppHost.Sandboxes;

/// <summary>
/// Follows the gateway's WatchAll stream and publishes one dashboard entry per sandbox; runs the sandbox commands.
/// Every operation fails only with a <see cref="DevLoopException"/>.
/// </summary>
internal sealed partial class SandboxDashboard(ISandboxGateway gateway, ResourceNotificationService notifications, ILogger<SandboxDashboard> logger)
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new(StringComparer.Ordinal);
    private OpenShellSandboxResource? _resource;
    private Task _republishing = Task.CompletedTask;

    /// <summary>How long Create and Restart wait for the supervisor to register.</summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The sandboxes last seen, by name.</summary>
    public IReadOnlyDictionary<string, Sandbox> Sandboxes => _sandboxes;

    /// <summary>The running <see cref="RunAsync"/>, once <see cref="Start"/> was called.</summary>
    public Task? Running { get; private set; }

    /// <summary>Starts <see cref="RunAsync"/> in the background.</summary>
    public void Start(OpenShellSandboxResource resource, CancellationToken ct) => Running = Task.Run(() => RunAsync(resource, ct), CancellationToken.None);

    /// <summary>Follows the gateway until <paramref name="ct"/> ends, reconnecting after failures; publishes onto <paramref name="resource"/>.</summary>
    public async Task RunAsync(OpenShellSandboxResource resource, CancellationToken ct)
    {
        _resource = resource;
        gateway.Changed += Republish;
        try
        {
            string? lastProblem = null;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var client = gateway.Connect();
                    await foreach (var sandbox in client.WatchAllAsync(ct).ConfigureAwait(false))
                    {
                        lastProblem = null;
                        await ApplyAsync(sandbox).ConfigureAwait(false);
                    }
                }
                catch (DevLoopException ex) when (!ct.IsCancellationRequested)
                {
                    // The gateway comes and goes with deploys: say so once, then keep trying.
                    if (ex.Message != lastProblem)
                    {
                        lastProblem = ex.Message;
                        LogWatchFailed(logger, ex.Message);
                    }
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    // Stopping: the cancelled watch ends in whatever error its call reports.
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    lastProblem = null;
                    LogWatchCrashed(logger, ex);
                }

                await Task.Delay(s_retryDelay, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            gateway.Changed -= Republish;
        }
    }

    /// <summary>Creates a sandbox and waits until its supervisor registered.</summary>
    public async Task<SandboxReady> CreateAsync(string? from, string? name, CancellationToken ct)
    {
        using var client = gateway.Connect();
        var ready = await client.CreateAndWaitAsync(new SandboxCreateRequest(string.IsNullOrWhiteSpace(name) ? null : name.Trim(), string.IsNullOrWhiteSpace(from) ? null : from.Trim()) { Timeout = RegistrationTimeout }, null, ct).ConfigureAwait(false);
        await ApplyAsync(ready.Sandbox).ConfigureAwait(false);
        return ready;
    }

    /// <summary>Deletes a sandbox.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        using var client = gateway.Connect();
        await client.DeleteAsync(name, ct).ConfigureAwait(false);
    }

    /// <summary>Recreates a sandbox's pod and waits until the new supervisor registered.</summary>
    public async Task<SandboxReady> RestartAsync(string name, CancellationToken ct)
    {
        using var client = gateway.Connect();
        await client.RestartAsync(name, ct).ConfigureAwait(false);
        var ready = await client.WaitUntilRegisteredAsync(name, RegistrationTimeout, null, ct).ConfigureAwait(false);
        await ApplyAsync(ready.Sandbox).ConfigureAwait(false);
        return ready;
    }

    /// <summary>Restarts every sandbox whose supervisor differs from the node's; returns their names.</summary>
    public async Task<IReadOnlyList<string>> RestartStaleAsync(CancellationToken ct)
    {
        var node = gateway.NodeSupervisorSha256
            ?? throw new SandboxException("the node's supervisor is not known yet", "Wait until the supervisor resource shows its sha256.");
        using var client = gateway.Connect();
        var stale = (await client.ListAsync(ct).ConfigureAwait(false))
            .Where(s => s.Phase == SandboxPhase.Ready && SandboxSnapshot.IsStale(s, node))
            .Select(s => s.Name)
            .ToList();
        foreach (var name in stale)
        {
            await RestartAsync(name, ct).ConfigureAwait(false);
        }

        return stale;
    }

    private async Task ApplyAsync(Sandbox sandbox)
    {
        if (sandbox.Phase == SandboxPhase.Deleted)
        {
            _sandboxes.TryRemove(sandbox.Name, out _);
        }
        else
        {
            _sandboxes[sandbox.Name] = sandbox;
        }

        await PublishAsync(sandbox).ConfigureAwait(false);
    }

    private async Task PublishAsync(Sandbox sandbox)
    {
        if (_resource is { } resource)
        {
            var node = gateway.NodeSupervisorSha256;
            await notifications.PublishUpdateAsync(resource, resource.InstanceId(sandbox.Name), s => SandboxSnapshot.Apply(s, sandbox, node)).ConfigureAwait(false);
        }
    }

    // A new node supervisor changes every sandbox's "stale" flag; the watch stream only reports sandbox changes.
    // Republishes run one after another, each logging its own failure, so none goes unobserved.
    private void Republish()
    {
        lock (_sandboxes)
        {
            _republishing = RepublishAfterAsync(_republishing);
        }
    }

    private async Task RepublishAfterAsync(Task previous)
    {
        await previous.ConfigureAwait(false);
        try
        {
            foreach (var sandbox in _sandboxes.Values)
            {
                await PublishAsync(sandbox).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRepublishFailed(logger, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Sandboxes are not shown yet: {Problem}")]
    private static partial void LogWatchFailed(ILogger logger, string problem);

    [LoggerMessage(3, LogLevel.Error, "Following the gateway's sandboxes failed unexpectedly; retrying.")]
    private static partial void LogWatchCrashed(ILogger logger, Exception error);

    [LoggerMessage(2, LogLevel.Warning, "The sandboxes could not be republished for the node's new supervisor.")]
    private static partial void LogRepublishFailed(ILogger logger, Exception error);
}
