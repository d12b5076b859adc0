using System.Diagnostics;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Session;
using OpenShell.DevLoop.State;

namespace OpenShell.FaultSuite.Watching;

/// <summary>
/// A deploy without a cluster: the real planner (with the session's change journal, as the fast deploy plans), then the
/// state file written with the plan's fingerprints, as a deploy that succeeded writes it. Each deploy is recorded; one can
/// be held half-way (<see cref="HoldNext"/>) to change the tree while it runs.
/// </summary>
internal sealed class RecordingDeployer : IDeployer
{
    private readonly DeployPlanner _planner = new(new FixedContainer());
    private readonly Lock _gate = new();
    private readonly List<DeployPlan> _plans = [];
    private readonly List<TimeSpan> _ended = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TaskCompletionSource? _held;
    private TaskCompletionSource? _entered;
    private int _running;

    /// <summary>The plan settings the session asked with (the state file, the cluster's name).</summary>
    public PlanSettings? PlanSettings { get; private set; }

    /// <summary>True while a deploy runs.</summary>
    public bool IsRunning => Volatile.Read(ref _running) > 0;

    /// <summary>The plans of every deploy, in order.</summary>
    public IReadOnlyList<DeployPlan> Plans
    {
        get
        {
            lock (_gate)
            {
                return [.. _plans];
            }
        }
    }

    /// <summary>
    /// How long after <paramref name="since"/> was started the last deploy ended (the time to recover from a fault that
    /// ended then); zero when none ended since.
    /// </summary>
    public TimeSpan SinceLastDeployEnded(Stopwatch since)
    {
        ArgumentNullException.ThrowIfNull(since);
        var started = _clock.Elapsed - since.Elapsed;
        lock (_gate)
        {
            return _ended.Count > 0 && _ended[^1] > started ? _ended[^1] - started : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Holds the next deploy after it planned, before it records; the returned task completes once it is held there.
    /// <see cref="Release"/> lets it go on.
    /// </summary>
    public Task HoldNext()
    {
        lock (_gate)
        {
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _entered.Task;
        }
    }

    /// <summary>Lets a held deploy go on.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _held?.TrySetResult();
            _held = null;
        }
    }

    /// <inheritdoc />
    public async Task<DeployResult> DeployAsync(DeployRequest request, IProgress<DeployEvent>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _running);
        try
        {
            PlanSettings = request.PlanSettings;
            var plan = await _planner.PlanAsync(new PlanRequest(request.RepositoryRoot, request.Targets, request.PlanSettings) { Journal = request.Journal }, ct);
            Task hold;
            lock (_gate)
            {
                _plans.Add(plan);
                hold = _held?.Task ?? Task.CompletedTask;
                _entered?.TrySetResult();
                _entered = null;
            }

            await hold.WaitAsync(ct);
            if (plan.ShouldRecordState && !plan.NothingToDo)
            {
                await new DeployStateStore(plan.StatePath).WriteAsync(plan.ToState(), plan.StateKeyOrder, ct);
            }

            lock (_gate)
            {
                _ended.Add(_clock.Elapsed);
            }

            var deployed = plan.Components.Where(c => c.Rebuild).Select(c => c.Component.Name).ToList();
            return new DeployResult(plan, [new DeployStepResult(DeployStep.Total, DeployStepOutcome.Succeeded, TimeSpan.Zero, "recorded")], deployed,
                new Dictionary<string, ComponentOutcome>(), plan.ShouldRecordState);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>The cluster container every plan finds: the one the session's fake cluster brings up first.</summary>
    internal sealed class FixedContainer : IClusterContainerLocator
    {
        public const string Id = "000000000001";

        public Task<ClusterContainerLookup> FindAsync(string containerName, CancellationToken ct = default) => Task.FromResult(new ClusterContainerLookup(Id, null));
    }
}
