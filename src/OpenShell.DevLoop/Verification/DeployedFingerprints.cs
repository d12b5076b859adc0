using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.State;

namespace OpenShell.DevLoop.Verification;

/// <summary>
/// The fingerprints the deployed artifacts carry (the gateway image's label, the HelmChart's annotation, the file beside the
/// node's binary), compared with the deploy state file: the state file must never claim a fingerprint that is not deployed.
/// </summary>
public static class DeployedFingerprints
{
    /// <summary>Reads what each of <paramref name="components"/> carries through <paramref name="source"/>, in order.</summary>
    public static async Task<IReadOnlyList<DeployedFingerprint>> ReadAsync(
        IEnumerable<ComponentDefinition> components, IDeployedFingerprintSource source, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(source);
        var deployed = new List<DeployedFingerprint>();
        foreach (var component in components)
        {
            deployed.Add(await source.ReadAsync(component, ct).ConfigureAwait(false));
        }

        return deployed;
    }

    /// <summary>
    /// Each component whose state-file fingerprint is not what is deployed, as a sentence naming both and the fix. A component
    /// the state does not record claims nothing and never differs; no state at all claims nothing.
    /// </summary>
    public static IReadOnlyList<string> Compare(DeployState? state, IReadOnlyList<DeployedFingerprint> deployed)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        var differences = new List<string>();
        if (state is null)
        {
            return differences;
        }

        foreach (var artifact in deployed)
        {
            if (!state.Fingerprints.TryGetValue(artifact.StateKey, out var recorded))
            {
                continue;
            }

            if (artifact.Problem is { } problem)
            {
                differences.Add($"{artifact.Component}: the state file records {Short(recorded)}, but {problem}. Run 'openshell-dev deploy {artifact.Component}' to deploy it again.");
            }
            else if (!string.Equals(artifact.Fingerprint, recorded, StringComparison.Ordinal))
            {
                differences.Add($"{artifact.Component}: the state file records {Short(recorded)}, {artifact.Source} carries {Short(artifact.Fingerprint)}. "
                    + $"Run 'openshell-dev deploy {artifact.Component}' to deploy it again.");
            }
        }

        return differences;
    }

    private static string Short(string? fingerprint) => fingerprint switch
    {
        null => "no fingerprint",
        "" => "an empty fingerprint",
        _ => $"fingerprint {fingerprint[..Math.Min(12, fingerprint.Length)]}",
    };
}
