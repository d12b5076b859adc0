using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.Verification;

/// <summary>Reads the fingerprint a component's deployed artifact carries (the cluster behind it; a fake in tests).</summary>
public interface IDeployedFingerprintSource
{
    /// <summary>What <paramref name="component"/>'s deployed artifact carries.</summary>
    Task<DeployedFingerprint> ReadAsync(ComponentDefinition component, CancellationToken ct = default);
}
