using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Planning;

/// <summary>The settings' say in a plan (upstream's variables, mapped by <see cref="UpstreamVariables"/>).</summary>
/// <param name="ClusterName"><c>CLUSTER_NAME</c>: overrides the repository folder's name.</param>
/// <param name="StateFile"><c>DEPLOY_FAST_STATE_FILE</c>: the state file, relative to the repository root or absolute.</param>
/// <param name="FullMode"><c>DEPLOY_FAST_MODE=full</c>: rebuild everything.</param>
/// <param name="ForceHelm"><c>FORCE_HELM_UPGRADE=1</c>: always upgrade the Helm release.</param>
public sealed record PlanSettings(string? ClusterName = null, string? StateFile = null, bool FullMode = false, bool ForceHelm = false)
{
    /// <summary>The plan settings of resolved <paramref name="settings"/>.</summary>
    public static PlanSettings From(OpenShellSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PlanSettings(
            string.IsNullOrWhiteSpace(settings.Cluster.Name) ? null : settings.Cluster.Name,
            string.IsNullOrWhiteSpace(settings.Deploy.StateFile) ? null : settings.Deploy.StateFile,
            settings.Deploy.FullMode,
            settings.Deploy.ForceHelmUpgrade);
    }
}
