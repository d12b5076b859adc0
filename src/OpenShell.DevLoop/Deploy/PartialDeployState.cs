using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.State;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The state a failed automatic deploy records: the components that deployed get their new fingerprint; a component whose
/// step failed (or never ran) keeps its recorded one, so the next plan rebuilds it. Nothing is written when that changes nothing.
/// </summary>
internal static class PartialDeployState
{
    /// <summary>Records <paramref name="plan"/>'s state with only <paramref name="succeeded"/> (component names) deployed.</summary>
    public static async Task RecordAsync(DeployPlan plan, IReadOnlyCollection<string> succeeded, CancellationToken ct)
    {
        var state = plan.ToState(succeeded);
        var fingerprints = new Dictionary<string, string>(state.Fingerprints, StringComparer.Ordinal);
        foreach (var component in plan.Components.Where(c => c.Rebuild && !succeeded.Contains(c.Component.Name)))
        {
            if (component.RecordedFingerprint is { } recorded)
            {
                fingerprints[component.Component.StateKey] = recorded;
            }
        }

        var partial = state with { Fingerprints = fingerprints };
        var text = DeployStateStore.Format(partial, plan.StateKeyOrder);
        var existing = File.Exists(plan.StatePath) ? await File.ReadAllTextAsync(plan.StatePath, ct).ConfigureAwait(false) : null;
        if (existing != text && (existing is not null || succeeded.Count > 0))
        {
            await new DeployStateStore(plan.StatePath).WriteAsync(partial, plan.StateKeyOrder, ct).ConfigureAwait(false);
        }
    }
}
