using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>The outcome of a successful deploy (a failed one throws <see cref="DeployException"/>).</summary>
/// <param name="Plan">The plan that was executed.</param>
/// <param name="Steps">Every step with its component, outcome and duration, in execution order; <see cref="DeployStep.Total"/> last.</param>
/// <param name="Deployed">The components deployed (names from components.json).</param>
/// <param name="Outcomes">What the deploy did to each component it touched, by component name.</param>
/// <param name="StateWritten">True when the state file was written (automatic mode).</param>
public sealed record DeployResult(
    DeployPlan Plan,
    IReadOnlyList<DeployStepResult> Steps,
    IReadOnlyList<string> Deployed,
    IReadOnlyDictionary<string, ComponentOutcome> Outcomes,
    bool StateWritten)
{
    /// <summary>True when the plan had nothing to do.</summary>
    public bool NothingToDo => Plan.NothingToDo;

    /// <summary>The duration of the whole deploy.</summary>
    public TimeSpan Total => Steps.LastOrDefault(s => s.Step == DeployStep.Total)?.Duration ?? TimeSpan.Zero;

    /// <summary>What the deploy did to <paramref name="component"/>, or null when it did not touch it.</summary>
    public ComponentOutcome? Of(string component) => Outcomes.GetValueOrDefault(component);
}
