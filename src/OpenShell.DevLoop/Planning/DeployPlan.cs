using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.State;

namespace OpenShell.DevLoop.Planning;

/// <summary>
/// What a deploy would do and why: one <see cref="ComponentPlan"/> per component, in catalog order.
/// <c>openshell-dev plan</c> prints it; a deploy executes it and records <see cref="ToState"/>.
/// </summary>
public sealed class DeployPlan
{
    internal DeployPlan(
        PlanMode mode,
        string repositoryRoot,
        string clusterName,
        string? containerId,
        string statePath,
        DeployState? recordedState,
        IReadOnlyList<string> notes,
        IReadOnlyList<ComponentPlan> components,
        IReadOnlyDictionary<string, string> survivingFingerprints)
    {
        Mode = mode;
        RepositoryRoot = repositoryRoot;
        ClusterName = clusterName;
        ContainerId = containerId;
        StatePath = statePath;
        RecordedState = recordedState;
        Notes = notes;
        Components = components;
        SurvivingFingerprints = survivingFingerprints;
    }

    /// <summary>The same plan with <paramref name="components"/> decided instead.</summary>
    internal DeployPlan WithComponents(IReadOnlyList<ComponentPlan> components) =>
        new(Mode, RepositoryRoot, ClusterName, ContainerId, StatePath, RecordedState, Notes, components, SurvivingFingerprints);

    /// <summary>Automatic (change detection) or explicit targets.</summary>
    public PlanMode Mode { get; }

    /// <summary>The working tree's root folder.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The normalised cluster name.</summary>
    public string ClusterName { get; }

    /// <summary>The cluster container's name.</summary>
    public string ContainerName => Cluster.ClusterName.ContainerName(ClusterName);

    /// <summary>The running cluster container's id, or null when unknown (no engine, no container).</summary>
    public string? ContainerId { get; }

    /// <summary>The state file consulted.</summary>
    public string StatePath { get; }

    /// <summary>The recorded state as read (null when missing or corrupt).</summary>
    public DeployState? RecordedState { get; }

    /// <summary>Facts behind the plan worth explaining (state warnings, unknown container id).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The decision per component, in catalog order.</summary>
    public IReadOnlyList<ComponentPlan> Components { get; }

    /// <summary>True in automatic mode when no component needs a rebuild.</summary>
    public bool NothingToDo => Mode == PlanMode.Automatic && Components.All(c => !c.Rebuild);

    /// <summary>True when a successful deploy of this plan should record its state (automatic mode only).</summary>
    public bool ShouldRecordState => Mode == PlanMode.Automatic;

    // Recorded fingerprints still valid for this cluster and container, for keys this plan does not decide.
    private IReadOnlyDictionary<string, string> SurvivingFingerprints { get; }

    /// <summary>The component named <paramref name="name"/>.</summary>
    public ComponentPlan this[string name] => Components.First(c => c.Component.Name == name);

    /// <summary>The state keys in catalog order, the order the state file lists them.</summary>
    public IEnumerable<string> StateKeyOrder => Components.Select(c => c.Component.StateKey);

    /// <summary>
    /// The state to record after a deploy in which the components named in <paramref name="succeeded"/>
    /// were deployed. A component that was to be rebuilt but is not among them loses its recorded
    /// fingerprint, so the next plan rebuilds it. The fingerprints are those taken when planning: an edit
    /// made while the deploy ran is therefore seen by the next plan.
    /// </summary>
    public DeployState ToState(IEnumerable<string> succeeded)
    {
        ArgumentNullException.ThrowIfNull(succeeded);
        var done = new HashSet<string>(succeeded, StringComparer.Ordinal);
        var fingerprints = new Dictionary<string, string>(SurvivingFingerprints, StringComparer.Ordinal);
        foreach (var component in Components)
        {
            var key = component.Component.StateKey;
            if (!component.Rebuild || done.Contains(component.Component.Name))
            {
                fingerprints[key] = component.Fingerprint;
            }
            else
            {
                fingerprints.Remove(key);
            }
        }

        // Lines this version does not understand are written back as they were.
        return new DeployState(ClusterName, ContainerId ?? string.Empty, fingerprints) { OtherEntries = RecordedState?.OtherEntries ?? [] };
    }

    /// <summary>The state to record when every planned component was deployed.</summary>
    public DeployState ToState() => ToState(Components.Select(c => c.Component.Name));

    /// <summary>The components of one kind.</summary>
    public IEnumerable<ComponentPlan> OfKind(ComponentKind kind) => Components.Where(c => c.Component.Kind == kind);
}
