namespace OpenShell.DevLoop.Deploy;

/// <summary>Proves a swapped supervisor: a throwaway sandbox must register with its sha256.</summary>
internal interface ISandboxVerifier
{
    /// <summary>
    /// Starts a sandbox on <paramref name="target"/>'s gateway, waits until its supervisor registers, deletes it, and
    /// returns the sandbox's name. Runs inside the component's <see cref="DeployStep.SandboxVerification"/> step.
    /// </summary>
    /// <exception cref="DeployException">No sandbox registered in time, or it registered with another binary.</exception>
    Task<string> VerifyAsync(DeployTarget target, string component, string expectedSha256, CancellationToken ct);
}
