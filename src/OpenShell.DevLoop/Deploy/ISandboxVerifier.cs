namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Proves a deploy through the gateway as a user would reach it: a rolled-out gateway must answer over mTLS, and a
/// swapped supervisor must register from a throwaway sandbox with its sha256.
/// </summary>
internal interface ISandboxVerifier
{
    /// <summary>
    /// Starts a sandbox on <paramref name="target"/>'s gateway, waits until its supervisor registers, deletes it, and
    /// returns the sandbox's name and the version the supervisor reported. Runs inside the component's
    /// <see cref="DeployStep.SandboxVerification"/> step.
    /// </summary>
    /// <exception cref="DeployException">No sandbox registered in time, or it registered with another binary.</exception>
    Task<(string Sandbox, string SupervisorVersion)> VerifyAsync(DeployTarget target, string component, string expectedSha256, CancellationToken ct);

    /// <summary>
    /// Waits until the gateway on <paramref name="target"/>'s gateway port answers a health call over mTLS and reaches
    /// the Kubernetes API; returns what it answered. Runs inside the component's <see cref="DeployStep.GatewayProbe"/> step.
    /// </summary>
    /// <exception cref="DeployException">The gateway did not answer in time, or answered that it cannot reach the API.</exception>
    Task<string> ProbeGatewayAsync(DeployTarget target, string component, CancellationToken ct);
}
