namespace OpenShell.FaultSuite;

/// <summary>What one scenario did: its fault, how the loop came out of it, how long recovery took and which invariants held.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="FaultPoint">Where the fault was injected.</param>
/// <param name="Outcome">What the product did under the fault (retried and succeeded, failed clearly, ...).</param>
/// <param name="Recovery">From the fault to the converged state.</param>
/// <param name="Invariants">The invariants checked afterwards.</param>
public sealed record ScenarioResult(string Scenario, string FaultPoint, string Outcome, TimeSpan Recovery, IReadOnlyList<InvariantCheck> Invariants)
{
    /// <summary>True when every invariant held.</summary>
    public bool Held => Invariants.All(i => i.Held);
}
