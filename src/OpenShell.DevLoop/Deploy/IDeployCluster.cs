using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>Finds the cluster a planned deploy works on (the Docker engine behind it; a fake in tests).</summary>
internal interface IDeployCluster
{
    /// <summary>The healthy cluster node of <paramref name="plan"/>, its architecture and its API.</summary>
    /// <exception cref="DeployException">The cluster is not ready for a fast deploy.</exception>
    Task<DeployTarget> PrepareAsync(string repositoryRoot, DeployPlan plan, DeployRequest request, CancellationToken ct);
}
