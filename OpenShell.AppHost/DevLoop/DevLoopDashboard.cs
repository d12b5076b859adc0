using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenShell.AppHost.Telemetry;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.Watching;
using static OpenShell.AppHost.DevLoop.DashboardVocabulary;

namespace OpenShell.AppHost.DevLoop;

/// <summary>
/// Projects the session's events onto the dashboard: states, properties and console lines, in the order they happened
/// (one pump; a failed update is logged, never lost silently). It also observes the session's start-up task.
/// </summary>
internal sealed partial class DevLoopDashboard : IAsyncDisposable
{
    private readonly DevLoopResources _resources;
    private readonly ResourceNotificationService _notifications;
    private readonly ResourceLoggerService _logs;
    private readonly Channel<SessionEvent> _events = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;
    private bool _engineLost;

    public DevLoopDashboard(DevSession session, DevLoopResources resources, ResourceNotificationService notifications, ResourceLoggerService logs)
    {
        _resources = resources;
        _notifications = notifications;
        _logs = logs;
        Session = session;
        session.Changed += e => _events.Writer.TryWrite(e);
        _pump = Task.Run(PumpAsync);
    }

    public DevSession Session { get; }

    /// <summary>Runs the session's start-up; an unexpected end is shown on the cluster instead of disappearing.</summary>
    public void Start(Func<CancellationToken, Task> beforeCluster, CancellationToken ct) =>
        _ = Session.RunAsync(beforeCluster, ct).ContinueWith(
            t => LogStartupFailed(_logs.GetLogger(DevSession.ClusterScope), t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        await foreach (var e in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await ApplyAsync(e).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogProjectionFailed(_logs.GetLogger(DevSession.DeployScope), ex, e.GetType().Name);
            }
        }
    }

    private Task ApplyAsync(SessionEvent e) => e switch
    {
        BundleChanged { Phase: BundlePhase.Ready, Bundle: { } b } => PublishAsync(_resources.RuntimeBundle, States.Running,
            new(Properties.BundleName, b.Verified.Manifest.Name), new(Properties.BundleVersion, b.Verified.Manifest.Version),
            new(Properties.BundleArchitecture, b.Verified.Manifest.Architecture), new(Properties.BundleFiles, b.Verified.FileCount),
            new(Properties.BundleBytes, b.Verified.PayloadBytes), new(Properties.BundleSha256, b.Verified.TarballSha256),
            new(Properties.BundleSource, b.Origin), new(Properties.BundleVerification, "passed")),
        BundleChanged { Phase: BundlePhase.Failed, Error: { } error } => PublishAsync(_resources.RuntimeBundle, States.Failed,
            new ResourcePropertySnapshot(Properties.BundleVerification, DevLoopCommands.Describe(error))),
        BundleChanged => PublishAsync(_resources.RuntimeBundle, States.Verifying),
        ClusterChanged c => ApplyClusterAsync(c),
        EngineChanged engine => ApplyEngineAsync(engine.Status),
        ComponentPhaseChanged p => PublishAsync(Component(p.Component), p.Detail ?? PhaseText(p.Phase), new ResourcePropertySnapshot(Properties.WaitingFor, p.Detail ?? "")),
        ComponentDeployed d => PublishAsync(Component(d.Component), States.Running, [.. FactsOf(d), new(Properties.DeployError, ""), new(Properties.WaitingFor, "")]),
        ComponentFailed f => FailedAsync(f),
        BinarySwapped b => PropertiesAsync(Component(b.Component), new ResourcePropertySnapshot(Properties.BinarySha256, b.Sha256)),
        ComponentLog l => Log(Component(l.Component), l),
        DeployStepStarted s => PublishAsync(_resources.Watcher, s.Step == DeployStep.ChangeDetection ? States.Planning : $"{StepVerb(s.Step)} {string.Join(", ", s.Components)}"),
        DeployTriggered t => PropertiesAsync(_resources.Watcher,
            new(Properties.WatcherTrigger, $"{t.Trigger.Kind} #{t.Trigger.Sequence}: {t.Trigger.EventCount} change batch(es)"),
            new(Properties.WatcherChangedPaths, string.Join(", ", t.Trigger.Paths.Take(20)))),
        DeployFinished f => FinishedAsync(f),
        WatcherChanged { Disabled: true } => PublishAsync(_resources.Watcher, States.Disabled),
        WatcherChanged { StartupError: { } error } => PublishAsync(_resources.Watcher, States.Failed, new ResourcePropertySnapshot(Properties.WatcherError, DevLoopCommands.Describe(error))),
        WatcherChanged { Status: { } status } => PublishAsync(_resources.Watcher, WatcherText(status.State),
            new(Properties.WatcherReason, status.Reason ?? ""),
            new(Properties.WatcherQueue, $"{status.PendingPaths} path(s) pending{(status.FollowUpQueued ? ", follow-up queued" : "")}"),
            new(Properties.WatcherHealth, status.WatchProblem ?? "watching with inotify")),
        _ => Task.CompletedTask,
    };

    private async Task ApplyClusterAsync(ClusterChanged c)
    {
        switch (c.Phase)
        {
            case ClusterPhase.Running when c.Cluster is { } up:
                // A cluster that came up while the engine dropped away stays shown as unreachable until the engine answers.
                await PublishAsync(_resources.Cluster, _engineLost ? States.EngineUnreachable : States.Running,
                    new(Properties.ClusterContainerId, up.ContainerId[..Math.Min(12, up.ContainerId.Length)]), new(Properties.ClusterDecision, c.Detail ?? ""),
                    new(Properties.ClusterApiPort, up.ApiHostPort), new(Properties.ClusterGatewayPort, up.GatewayHostPort),
                    new(Properties.ClusterKubeconfig, up.KubeconfigPath), new(Properties.ClusterSecurity, up.Security.SecurityLine()),
                    new(Properties.ClusterError, ""), new(Properties.WaitingFor, "")).ConfigureAwait(false);
                // The cluster's gateway port serves the image the catalogue marks as the gateway, no other; in the scheme it speaks.
                var scheme = up.Security == GatewaySecurity.Plaintext ? "http" : "https";
                var url = $"{scheme}://127.0.0.1:{up.GatewayHostPort.ToString(CultureInfo.InvariantCulture)}";
                foreach (var (resource, _) in _resources.Components.Values.Where(c => c.Component.Image is { IsGateway: true }))
                {
                    await _notifications.PublishUpdateAsync(resource, s => s with
                    {
                        Urls = [new UrlSnapshot(scheme, url, IsInternal: false)],
                        Properties = Merge(s.Properties, [new(Properties.ClusterSecurity, up.Security.SecurityLine())]),
                    }).ConfigureAwait(false);
                }

                break;
            case ClusterPhase.Failed:
                await PublishAsync(_resources.Cluster, States.Failed, new ResourcePropertySnapshot(Properties.ClusterError, c.Error is null ? c.Detail ?? "" : DevLoopCommands.Describe(c.Error))).ConfigureAwait(false);
                break;
            case ClusterPhase.Waiting:
                await PublishAsync(_resources.Cluster, c.Detail ?? States.WaitingForBundle,
                    new ResourcePropertySnapshot(Properties.WaitingFor, c.Error is null ? c.Detail ?? "" : DevLoopCommands.Describe(c.Error))).ConfigureAwait(false);
                break;
            default:
                var text = c.Phase switch { ClusterPhase.Starting => States.Starting, ClusterPhase.Recreating => States.Recreating, _ => States.Bootstrapping };
                await PublishAsync(_resources.Cluster, text, new ResourcePropertySnapshot(Properties.ClusterDecision, c.Detail ?? "")).ConfigureAwait(false);
                break;
        }
    }

    // The engine and its forwards show on the cluster; a lost engine turns the cluster's state until it answers again.
    private async Task ApplyEngineAsync(EngineStatus status)
    {
        ResourcePropertySnapshot[] properties =
        [
            new(Properties.EngineAddress, status.Address),
            new(Properties.EnginePlatform, status.Facts?.Platform ?? ""),
            new(Properties.EngineVersion, status.Facts?.Version ?? ""),
            new(Properties.EngineForwards, EngineText.Forwards(status.Facts)),
            new(Properties.EngineState, EngineText.State(status)),
        ];
        if (status.Link == EngineLink.Lost)
        {
            _engineLost = true;
            await PublishAsync(_resources.Cluster, States.EngineUnreachable, properties).ConfigureAwait(false);
        }
        else if (_engineLost && Session.Cluster is not null)
        {
            _engineLost = false;
            await PublishAsync(_resources.Cluster, States.Running, properties).ConfigureAwait(false);
        }
        else
        {
            await PropertiesAsync(_resources.Cluster, properties).ConfigureAwait(false);
        }
    }

    private static IEnumerable<ResourcePropertySnapshot> FactsOf(ComponentDeployed d)
    {
        var facts = d.Facts;
        yield return new(Properties.Fingerprint, facts.Fingerprint.Length > 12 ? facts.Fingerprint[..12] : facts.Fingerprint);
        if (facts.DeployedAt is { } at)
        {
            yield return new(Properties.LastDeployed, Time(at));
            yield return new(Properties.Duration, $"{facts.Duration?.TotalSeconds ?? 0:0.0}s");
        }

        if (facts.Image is { } image)
        {
            yield return new(Properties.Image, image);
        }

        if (facts.Sha256 is { } sha)
        {
            yield return new(Properties.BinarySha256, sha);
            yield return new(Properties.BinaryVersion, facts.Version ?? "unknown (the binary did not answer --version)");
            yield return new(Properties.BinaryPath, facts.NodePath ?? "");
        }

        if (facts.ChartChecksum is { } checksum)
        {
            yield return new(Properties.ChartChecksum, checksum);
            yield return new(Properties.ChartChanged, facts.HelmChartChanged ?? false);
        }
    }

    private OpenShellComponentResource? Component(string name) => _resources.Components.TryGetValue(name, out var c) ? c.Resource : null;

    private Task Log(IResource? resource, ComponentLog line)
    {
        if (resource is not null)
        {
            var logger = _logs.GetLogger(resource);
            if (line.IsError)
            {
                logger.LogError("{Message}", line.Message);
            }
            else
            {
                logger.LogInformation("{Message}", line.Message);
            }
        }

        return Task.CompletedTask;
    }

    private Task PublishAsync(IResource? resource, string state, params ResourcePropertySnapshot[] properties) =>
        resource is null ? Task.CompletedTask : _notifications.PublishUpdateAsync(resource, s => s with
        {
            State = new ResourceStateSnapshot(state, StyleOf(state)),
            StartTimeStamp = s.StartTimeStamp ?? (state == States.Running ? DateTime.UtcNow : null),
            Properties = Merge(s.Properties, properties),
        });

    private async Task FinishedAsync(DeployFinished f)
    {
        await PropertiesAsync(_resources.Watcher,
            new(Properties.WatcherLastPlan, string.Join(" ", f.Result.Plan.Components.Select(c => $"{c.Component.Name}={(c.Rebuild ? 1 : 0)}"))),
            new(Properties.WatcherLastTriggers, string.Join("; ", f.Result.Plan.Components.SelectMany(c => c.Changes.Select(ch => $"{ch.Path} ({c.Component.Name}: {ch.Glob})")).Distinct().Take(20))),
            new(Properties.WatcherLastSteps, string.Join(", ", f.Result.Steps.Where(s => s.Outcome == DeployStepOutcome.Succeeded).Select(s => $"{DeployStepLabels.Of(s.Step)} {s.Duration.TotalSeconds:0.0}s"))),
            new(Properties.WatcherLastDeploy, Time(f.At))).ConfigureAwait(false);
        await PublishDeploySummaryAsync().ConfigureAwait(false);
    }

    private async Task FailedAsync(ComponentFailed f)
    {
        await PublishAsync(Component(f.Component), States.Failed, new ResourcePropertySnapshot(Properties.DeployError, DevLoopCommands.Describe(f.Error))).ConfigureAwait(false);
        await PublishDeploySummaryAsync().ConfigureAwait(false);
    }

    // The last deploy's total, slowest step and regressions, from the deploy history both front ends append to.
    private async Task PublishDeploySummaryAsync()
    {
        if (await DeploySummary.ReadAsync(Session.RepositoryRoot, _logs.GetLogger(DevSession.DeployScope)).ConfigureAwait(false) is { Length: > 0 } summary)
        {
            await PropertiesAsync(_resources.Watcher, summary).ConfigureAwait(false);
        }
    }

    private Task PropertiesAsync(IResource? resource, params ResourcePropertySnapshot[] properties) =>
        resource is null ? Task.CompletedTask : _notifications.PublishUpdateAsync(resource, s => s with { Properties = Merge(s.Properties, properties) });

    private static string PhaseText(ComponentPhase phase) => phase switch
    {
        ComponentPhase.Building => States.Building,
        ComponentPhase.Pushing => States.Pushing,
        ComponentPhase.RollingOut => States.RollingOut,
        ComponentPhase.Copying => States.Copying,
        ComponentPhase.Upgrading => States.Upgrading,
        ComponentPhase.Verifying => States.Verifying,
        _ => States.WaitingForCluster,
    };

    private static string StepVerb(DeployStep step) => step switch
    {
        DeployStep.ImagePush => States.Pushing,
        DeployStep.HelmUpgrade => States.Upgrading,
        DeployStep.GatewayRollout => States.RollingOut,
        DeployStep.SandboxVerification or DeployStep.GatewayProbe => States.Verifying,
        DeployStep.Total => States.Deploying,
        _ => States.Building,
    };

    private static string WatcherText(DeployLoopState state) => state switch
    {
        DeployLoopState.Watching => States.Watching,
        DeployLoopState.ChangesPending => States.ChangesPending,
        DeployLoopState.WaitingForGit => States.WaitingForGit,
        DeployLoopState.Deploying => States.Deploying,
        DeployLoopState.UpToDate => States.UpToDate,
        DeployLoopState.Failed => States.Failed,
        DeployLoopState.Paused => States.Paused,
        _ => state.ToString(),
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("u", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "The dev session stopped unexpectedly")]
    private static partial void LogStartupFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not show {Event} on the dashboard")]
    private static partial void LogProjectionFailed(ILogger logger, Exception exception, string @event);
}
