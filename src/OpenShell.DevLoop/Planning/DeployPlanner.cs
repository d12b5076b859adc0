using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;
using OpenShell.DevLoop.State;

namespace OpenShell.DevLoop.Planning;

/// <summary>
/// Decides which components to rebuild: the one entry point shared by <c>openshell-dev plan</c>,
/// <c>openshell-dev deploy</c> and the AppHost's watcher. Keep one instance per process: it caches glob
/// matches per path and blob ids per file stat data, so repeated plans only re-hash what changed.
/// Plans run one at a time.
/// </summary>
public sealed class DeployPlanner
{
    private readonly IClusterContainerLocator _locator;
    private readonly IGitCli _git;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, WorkingTreeScanner> _scanners = new(StringComparer.Ordinal);
    private readonly ComponentFingerprinter _fingerprinter = new();
    private string? _catalogText;
    private ComponentCatalog? _catalog;
    private ComponentMatcher? _matcher;

    /// <summary>Creates a planner that asks <paramref name="locator"/> for the cluster container's id.</summary>
    public DeployPlanner(IClusterContainerLocator locator)
        : this(locator, new GitCli())
    {
    }

    internal DeployPlanner(IClusterContainerLocator locator, IGitCli git)
    {
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(git);
        _locator = locator;
        _git = git;
    }

    /// <summary>
    /// Plans a deploy of the working tree at <paramref name="request"/>'s folder. Throws
    /// <see cref="InvalidTargetException"/> for an unknown target, <see cref="ComponentCatalogException"/>
    /// for a bad components.json and <see cref="GitException"/> when the repository cannot be read.
    /// </summary>
    public async Task<DeployPlan> PlanAsync(PlanRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await PlanCoreAsync(request, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DeployPlan> PlanCoreAsync(PlanRequest request, CancellationToken ct)
    {
        var repository = GitRepository.Discover(request.RepositoryRoot);
        var (catalog, matcher) = LoadCatalog(repository.Root);
        IReadOnlyList<ComponentDefinition> targets = [];
        if (request.Targets.Count > 0 && !catalog.TryResolveTargets(request.Targets, out targets, out var unknown))
        {
            throw new InvalidTargetException(unknown!, catalog.ValidTargets);
        }

        var settings = request.Settings;
        var clusterName = ClusterName.Resolve(settings.ClusterName, repository.Root);
        var store = DeployStateStore.ForRepository(repository.Root, settings.StateFile);

        // The engine, the state file and the working tree are independent: ask them at once.
        // The lookup's first step (making an engine client) is synchronous and not cheap: off this thread with it.
        var lookupTask = Task.Run(() => _locator.FindAsync(ClusterName.ContainerName(clusterName), ct), ct);
        var stateTask = store.ReadAsync(ct);
        var snapshot = await ScanAsync(repository, matcher, request.Journal, ct).ConfigureAwait(false);
        var lookup = await lookupTask.ConfigureAwait(false);
        var stateRead = await stateTask.ConfigureAwait(false);

        var notes = new List<string>();
        if (stateRead.Warning is { } warning)
        {
            notes.Add("warning: " + warning);
        }

        if (lookup.Note is { } note)
        {
            notes.Add(lookup.ContainerId is null
                ? $"cluster container id unknown ({note}); a recreated cluster cannot be detected, so nothing is rebuilt for that reason"
                : $"cluster container: {note}");
        }

        var masks = matcher.Classify(snapshot.Changes.Select(c => c.Path));
        var recorded = RecordedFingerprints(catalog, stateRead.State, clusterName, lookup.ContainerId, notes, out var cause);
        var mode = request.Targets.Count > 0 ? PlanMode.Explicit : PlanMode.Automatic;
        var decisions = new List<(ComponentDefinition Component, List<RebuildReason> Reasons, List<ChangedInput> Changes, string Fingerprint, string? Recorded, int Inputs)>();
        var fileMasks = snapshot.FileMasks;
        for (var bit = 0; bit < catalog.Components.Count; bit++)
        {
            var component = catalog.Components[bit];
            var (fingerprint, inputs) = _fingerprinter.Compute(snapshot.Files, fileMasks, bit);
            var changed = snapshot.Changes.Where(c => (masks[c.Path] & (1UL << bit)) != 0).ToList();
            var globs = matcher.MatchingGlobs(bit, changed.Select(c => c.Path));
            var changes = changed.Select(c => new ChangedInput(c.Path, c.Kind, globs[c.Path])).ToList();
            recorded.TryGetValue(component.StateKey, out var previous);
            var reasons = new List<RebuildReason>();
            if (mode == PlanMode.Explicit)
            {
                if (targets.Contains(component))
                {
                    reasons.Add(new(RebuildReasonKind.ExplicitTarget, "named as a target on the command line"));
                }
            }
            else if (fingerprint != (previous ?? string.Empty))
            {
                reasons.Add(previous is null
                    ? cause(component)
                    : new(RebuildReasonKind.InputsChanged, changes.Count > 0
                        ? "its input files changed since the last deploy"
                        : "its input files changed since the last deploy by commits, a pull or a checkout (no uncommitted change matches)"));
            }

            if (settings.FullMode)
            {
                reasons.Add(new(RebuildReasonKind.FullMode, "DEPLOY_FAST_MODE=full rebuilds everything"));
            }

            if (settings.ForceHelm && component.Kind == ComponentKind.Helm)
            {
                reasons.Add(new(RebuildReasonKind.ForcedHelm, "FORCE_HELM_UPGRADE=1 forces a Helm upgrade"));
            }

            decisions.Add((component, reasons, changes, fingerprint, previous, inputs));
        }

        // A new image only reaches the cluster through an upgrade of the chart that pins it.
        foreach (var decision in decisions.Where(d => d.Component.Kind == ComponentKind.Helm))
        {
            var rebuiltImages = decisions
                .Where(d => d.Component.Image?.Chart == decision.Component.Name && d.Reasons.Count > 0)
                .Select(d => d.Component.Name)
                .ToList();
            if (rebuiltImages.Count > 0)
            {
                decision.Reasons.Add(new(RebuildReasonKind.ImpliedByImage, $"the {string.Join(", ", rebuiltImages)} image is rebuilt and rolls out through a Helm upgrade"));
            }
        }

        var plans = decisions
            .Select(d => new ComponentPlan(d.Component, d.Reasons.Count > 0, d.Reasons, d.Changes, d.Fingerprint, d.Recorded, d.Inputs))
            .ToList();
        return new DeployPlan(mode, repository.Root, clusterName, lookup.ContainerId, store.Path, stateRead.State, notes, plans, recorded);
    }

    // The recorded fingerprints still valid for this cluster and container, and the reason a missing one gives.
    private static Dictionary<string, string> RecordedFingerprints(
        ComponentCatalog catalog,
        DeployState? state,
        string clusterName,
        string? containerId,
        List<string> notes,
        out Func<ComponentDefinition, RebuildReason> missingCause)
    {
        if (state is null)
        {
            missingCause = _ => new(RebuildReasonKind.NotRecorded, "no deploy state is recorded (first deploy, or the state file is missing or corrupt)");
            return new(StringComparer.Ordinal);
        }

        if (state.ClusterName != clusterName)
        {
            var other = state.ClusterName;
            notes.Add($"the deploy state was recorded for cluster '{other}', not '{clusterName}'; its fingerprints are ignored");
            missingCause = _ => new(RebuildReasonKind.OtherCluster, $"the deploy state was recorded for cluster '{other}'");
            return new(StringComparer.Ordinal);
        }

        var fingerprints = new Dictionary<string, string>(state.Fingerprints, StringComparer.Ordinal);

        // A known component's malformed fingerprint invalidates that component only.
        var malformed = catalog.Components
            .Where(c => state.OtherEntries.Any(e => e.Key == c.StateKey))
            .Select(c => c.StateKey)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var key in malformed)
        {
            notes.Add($"warning: the deploy state records a malformed fingerprint for '{key}' (not 64 lowercase hex digits); that component is rebuilt");
        }

        RebuildReason? Malformed(ComponentDefinition c) => malformed.Contains(c.StateKey)
            ? new(RebuildReasonKind.NotRecorded, $"the recorded fingerprint for '{c.StateKey}' is malformed")
            : null;

        if (containerId is not null && containerId != state.ContainerId)
        {
            // The supervisor binary is baked into the cluster image, so a new container already carries it.
            foreach (var component in catalog.Components.Where(c => c.Kind != ComponentKind.Binary))
            {
                fingerprints.Remove(component.StateKey);
            }

            var recordedId = state.ContainerId.Length == 0 ? "none" : Short(state.ContainerId);
            notes.Add($"the cluster container changed since the last deploy (recorded {recordedId}, running {Short(containerId)})");
            missingCause = c => c.Kind == ComponentKind.Binary
                ? Malformed(c) ?? new(RebuildReasonKind.NotRecorded, $"no fingerprint is recorded for '{c.StateKey}'")
                : new(RebuildReasonKind.NewClusterContainer, $"the cluster container was recreated (recorded {recordedId}, running {Short(containerId)})");
            return fingerprints;
        }

        missingCause = c => Malformed(c) ?? new(RebuildReasonKind.NotRecorded, $"no fingerprint is recorded for '{c.StateKey}' (never deployed, or its last deploy failed)");
        return fingerprints;
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    private (ComponentCatalog Catalog, ComponentMatcher Matcher) LoadCatalog(string root)
    {
        // Re-read every time (it is small): the cached matcher is reused only while the text is identical.
        var path = Path.Combine(root, ComponentCatalog.RelativePath);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Load turns the failure into a message that names the file and the fix.
            var reloaded = ComponentCatalog.Load(root);
            return (reloaded, new ComponentMatcher(reloaded));
        }

        if (_catalog is null || _matcher is null || text != _catalogText || _catalog.Source != path)
        {
            _catalog = ComponentCatalog.Parse(text, path);
            _matcher = new ComponentMatcher(_catalog);
            _catalogText = text;
        }

        return (_catalog, _matcher);
    }

    // With a journal only the paths it lists are re-checked; a failed scan leaves it unable to vouch for the next one.
    private async Task<WorkingTreeSnapshot> ScanAsync(GitRepository repository, ComponentMatcher matcher, ChangeJournal? journal, CancellationToken ct)
    {
        var scanner = ScannerFor(repository.Root);
        var changed = journal?.Take(scanner);
        try
        {
            return await scanner.ScanAsync(repository, matcher, changed, ct).ConfigureAwait(false);
        }
        catch
        {
            journal?.Invalidate();
            throw;
        }
    }

    private WorkingTreeScanner ScannerFor(string root)
    {
        if (!_scanners.TryGetValue(root, out var scanner))
        {
            scanner = new WorkingTreeScanner(_git);
            _scanners[root] = scanner;
        }

        return scanner;
    }
}
