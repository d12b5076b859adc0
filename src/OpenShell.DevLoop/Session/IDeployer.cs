using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Session;

/// <summary>Runs one fast deploy (<see cref="FastDeployer"/>; a fake in tests).</summary>
internal interface IDeployer
{
    /// <summary>Deploys what the request asks for, reporting every step.</summary>
    Task<DeployResult> DeployAsync(DeployRequest request, IProgress<DeployEvent>? progress = null, CancellationToken ct = default);
}
