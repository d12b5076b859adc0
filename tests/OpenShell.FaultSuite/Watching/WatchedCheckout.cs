using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.Watching;
using OpenShell.Testing;
using OpenShell.Testing.Session;

namespace OpenShell.FaultSuite.Watching;

/// <summary>
/// A dev session as the AppHost runs it, on a throw-away clone of this repository: the real inotify watcher, change journal,
/// deploy loop and planner, with <see cref="RecordingDeployer"/> in place of the cluster. <see cref="SettleAsync"/> waits
/// for the loop to be idle; <see cref="TreePlanAsync"/> asks a fresh planner, scanning the whole tree, what is left to deploy.
/// </summary>
internal sealed class WatchedCheckout : IAsyncDisposable
{
    /// <summary>The loop's quiet period: longer than a storm's gaps and a lost watch's re-arm.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(1500);

    private static readonly string[] s_identity = ["-c", "user.name=Fault Suite", "-c", "user.email=faults@example.invalid"];
    private readonly TempDirectory _folder;
    private readonly Lock _gate = new();
    private DevSession? _session;
    private DeployLoopStatus? _status;
    private long _statusChanges;

    private WatchedCheckout(TempDirectory folder)
    {
        _folder = folder;
        Root = Path.Combine(folder.Path, "repo");
    }

    /// <summary>The clone's working tree.</summary>
    public string Root { get; }

    /// <summary>The deployer the session deploys through.</summary>
    public RecordingDeployer Deployer { get; } = new();

    /// <summary>The running repository watcher (the last one started).</summary>
    public RepositoryWatcher? Watcher { get; private set; }

    /// <summary>Every watch problem the loop showed, in order.</summary>
    public List<string> WatchProblems { get; } = [];

    /// <summary>The branch the clone is on.</summary>
    public string Branch { get; private set; } = "";

    /// <summary>
    /// Clones the repository, lets <paramref name="prepare"/> change the clone (branches, commits), then runs the session to
    /// its first deploy and waits until the loop is idle. <paramref name="createWatcher"/> replaces the watcher's
    /// <see cref="FileSystemWatcher"/> factory.
    /// </summary>
    public static async Task<WatchedCheckout> StartAsync(Func<WatchedCheckout, Task>? prepare = null, Func<string, FileSystemWatcher>? createWatcher = null, CancellationToken ct = default)
    {
        var checkout = new WatchedCheckout(new TempDirectory("osfls-watch"));
        try
        {
            (await TestProcess.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, checkout.Root], timeout: TimeSpan.FromMinutes(2), ct: ct))
                .EnsureSuccess("git clone");
            checkout.Branch = (await checkout.GitAsync(ct, "rev-parse", "--abbrev-ref", "HEAD")).Trim();
            if (prepare is not null)
            {
                await prepare(checkout);
            }

            await checkout.RunSessionAsync(createWatcher, ct);
            return checkout;
        }
        catch
        {
            await checkout.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs git in the clone (with an identity for commits); fails on a non-zero exit.</summary>
    public async Task<string> GitAsync(CancellationToken ct, params string[] args) =>
        (await TestProcess.RunAsync("git", [.. s_identity, .. args], Root, timeout: TimeSpan.FromMinutes(1), ct: ct)).EnsureSuccess("git " + string.Join(' ', args)).Stdout;

    /// <summary>Appends a line to a file of the clone.</summary>
    public void Append(string relativePath, string line) => File.AppendAllText(Path.Combine(Root, relativePath), line + "\n");

    /// <summary>
    /// Waits until the loop has been idle (not deploying, nothing pending) for twice its quiet period, so a follow-up that
    /// was going to come has come; returns how long it waited.
    /// </summary>
    public async Task<TimeSpan> SettleAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var calm = Stopwatch.StartNew();
        var seen = -1L;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"the deploy loop never settled; last status: {_status}");
            }

            bool idle;
            long changes;
            lock (_gate)
            {
                idle = _status is { State: DeployLoopState.UpToDate or DeployLoopState.Watching or DeployLoopState.Failed, PendingPaths: 0 } && !Deployer.IsRunning;
                changes = _statusChanges;
            }

            if (!idle || changes != seen)
            {
                seen = changes;
                calm.Restart();
            }
            else if (calm.Elapsed >= QuietPeriod * 2)
            {
                return clock.Elapsed - calm.Elapsed;
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>What a fresh planner, scanning the whole tree against the state file, would deploy now.</summary>
    public Task<DeployPlan> TreePlanAsync(CancellationToken ct) =>
        new DeployPlanner(new RecordingDeployer.FixedContainer()).PlanAsync(new PlanRequest(Root, [], Deployer.PlanSettings ?? new PlanSettings()), ct);

    /// <summary>The invariant: the state file's fingerprints are the tree's (a whole-tree plan finds nothing to deploy).</summary>
    public async Task<InvariantCheck> DeployedEqualsTreeAsync(CancellationToken ct)
    {
        var plan = await TreePlanAsync(ct);
        var left = plan.Components.Where(c => c.Rebuild).Select(c => $"{c.Component.Name}: {string.Join("; ", c.Reasons.Select(r => r.Description))}").ToList();
        return InvariantCheck.Of("deployed = tree", left.Count == 0 ? null : $"a whole-tree plan still deploys {string.Join(" | ", left)}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        Watcher?.Dispose();
        _folder.Dispose();
    }

    private async Task RunSessionAsync(Func<string, FileSystemWatcher>? createWatcher, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenShell:Cluster:Name"] = "osfls-watch",
            ["OpenShell:DevHost:QuietPeriodMs"] = ((int)QuietPeriod.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OpenShell:DevHost:MaxWaitMs"] = "20000",
        }).Build();
        var settings = SettingsLoader.Resolve(configuration, Root, new Dictionary<string, string?>()).Settings;
        var services = new FakeSessionServices().Create() with
        {
            Deployer = Deployer,
            GitProbe = root => new GitOperationProbe(Path.Combine(root, ".git")),
            StartWatcher = (root, excludes, sink, logger) =>
            {
                var watcher = new RepositoryWatcher(
                    new RepositoryWatcherOptions { RepositoryRoot = root, IsExcluded = ExcludeGlobs.ToPredicate(excludes), RearmDelay = TimeSpan.FromMilliseconds(100) },
                    sink, logger: logger, createWatcher: createWatcher);
                watcher.Start();
                Watcher = watcher;
                return watcher;
            },
        };
        _session = new DevSession(settings, services, _ => NullLogger.Instance);
        _session.Changed += e =>
        {
            if (e is WatcherChanged { Status: { } status })
            {
                lock (_gate)
                {
                    _status = status;
                    _statusChanges++;
                    if (status.WatchProblem is { } problem && (WatchProblems.Count == 0 || WatchProblems[^1] != problem))
                    {
                        WatchProblems.Add(problem);
                    }
                }
            }
        };
        await _session.RunAsync(null, ct);
        if (!_session.IsWatching)
        {
            throw new InvalidOperationException("the session's watcher did not start");
        }

        await SettleAsync(ct);
    }
}
