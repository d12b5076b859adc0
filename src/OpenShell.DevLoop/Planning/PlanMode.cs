namespace OpenShell.DevLoop.Planning;

/// <summary>How the plan chose its components.</summary>
public enum PlanMode
{
    /// <summary>By change detection against the recorded state; a successful deploy records the new state.</summary>
    Automatic,

    /// <summary>By explicit targets; change detection is skipped and the state is never written.</summary>
    Explicit,
}
