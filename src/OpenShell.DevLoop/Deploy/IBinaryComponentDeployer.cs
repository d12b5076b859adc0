using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Deploy;

/// <summary>Builds a <see cref="ComponentKind.Binary"/> component and swaps it into the node (Docker behind it; a fake in tests).</summary>
internal interface IBinaryComponentDeployer
{
    /// <summary>Publishes the component and swaps it in at its node path; returns the sha256 read back. Runs inside its <see cref="DeployStep.Supervisor"/> step.</summary>
    Task<string> DeployAsync(ComponentDefinition component, DeployTarget target, DeployRun run, CancellationToken ct);
}
