using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;

namespace OpenShell.FaultSuite;

/// <summary>The promises every scenario checks after its fault and recovery.</summary>
public static class Invariants
{
    /// <summary>The state file's fingerprints equal what the deployed artifacts carry.</summary>
    public const string StateEqualsDeployed = "state = deployed";

    /// <summary>No temp file or staging folder is left behind.</summary>
    public const string NoLeftovers = "no leftovers";

    /// <summary>A failure names the fault and a remedy.</summary>
    public const string ClearError = "error names fault + remedy";

    /// <summary>Nothing reported success that did not happen.</summary>
    public const string NoFalseSuccess = "no false success";

    /// <summary>The next deploy after the fault converges.</summary>
    public const string Converges = "next deploy converges";

    /// <summary>Checks that <paramref name="state"/> claims nothing <paramref name="source"/> does not carry.</summary>
    public static async Task<InvariantCheck> StateMatchesAsync(DeployState? state, IEnumerable<ComponentDefinition> components, IDeployedFingerprintSource source, CancellationToken ct)
    {
        var differences = DeployedFingerprints.Compare(state, await DeployedFingerprints.ReadAsync(components, source, ct));
        return InvariantCheck.Of(StateEqualsDeployed, differences.Count == 0 ? null : string.Join(" | ", differences));
    }

    /// <summary>Checks that no <c>*.tmp</c> file or <c>.staging-*</c> folder is under any of <paramref name="folders"/>.</summary>
    public static InvariantCheck NoLeftoversIn(params string[] folders)
    {
        var found = folders.Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFileSystemEntries(f, "*", SearchOption.AllDirectories))
            .Where(p => Path.GetFileName(p) is var name && (name.EndsWith(".tmp", StringComparison.Ordinal) || name.Contains(".tmp-", StringComparison.Ordinal)
                || name.StartsWith(".staging-", StringComparison.Ordinal)))
            .ToList();
        return InvariantCheck.Of(NoLeftovers, found.Count == 0 ? null : $"left behind: {string.Join(", ", found)}");
    }

    /// <summary>
    /// Checks that <paramref name="error"/> is one of the engine's, its message names <paramref name="fault"/> (any of the
    /// words) and it carries a remedy (its own words or an action the front end words).
    /// </summary>
    public static InvariantCheck ErrorIsClear(Exception? error, params string[] fault)
    {
        if (error is null)
        {
            return InvariantCheck.Of(ClearError, "no error was reported");
        }

        if (error is not DevLoopException ours)
        {
            return InvariantCheck.Of(ClearError, $"an unexpected {error.GetType().Name}: {error.Message}");
        }

        if (!fault.Any(f => ours.Message.Contains(f, StringComparison.OrdinalIgnoreCase)))
        {
            return InvariantCheck.Of(ClearError, $"the message does not name the fault ({string.Join(" / ", fault)}): {ours.Message}");
        }

        return InvariantCheck.Of(ClearError, string.IsNullOrWhiteSpace(ours.Remedy) && ours.Action == RemedyAction.None ? $"no remedy: {ours.Message}" : null);
    }
}
