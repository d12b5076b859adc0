namespace OpenShell.DevLoop.Planning;

/// <summary>The environment's say in a plan (upstream's variables).</summary>
/// <param name="ClusterName"><c>CLUSTER_NAME</c>: overrides the repository folder's name.</param>
/// <param name="StateFile"><c>DEPLOY_FAST_STATE_FILE</c>: the state file, relative to the repository root or absolute.</param>
/// <param name="FullMode"><c>DEPLOY_FAST_MODE=full</c>: rebuild everything.</param>
/// <param name="ForceHelm"><c>FORCE_HELM_UPGRADE=1</c>: always upgrade the Helm release.</param>
public sealed record PlanSettings(string? ClusterName = null, string? StateFile = null, bool FullMode = false, bool ForceHelm = false)
{
    /// <summary>Reads the settings from environment variables (or <paramref name="getVariable"/>, for tests).</summary>
    public static PlanSettings FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return new PlanSettings(
            getVariable("CLUSTER_NAME"),
            getVariable(State.DeployStateStore.PathVariable),
            string.Equals(getVariable("DEPLOY_FAST_MODE"), "full", StringComparison.OrdinalIgnoreCase),
            getVariable("FORCE_HELM_UPGRADE") is "1" or "true");
    }
}
