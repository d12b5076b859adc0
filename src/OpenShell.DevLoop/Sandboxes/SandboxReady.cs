using OpenShell.Core.V1;

namespace OpenShell.DevLoop.Sandboxes;

/// <summary>A sandbox whose supervisor registered with the gateway.</summary>
/// <param name="Sandbox">Its status when the registration was seen (Ready, or Succeeded/Failed when the workload already exited).</param>
/// <param name="Elapsed">From the create call to the registration.</param>
public sealed record SandboxReady(Sandbox Sandbox, TimeSpan Elapsed)
{
    /// <summary>The SHA-256 of the supervisor binary that registered.</summary>
    public string SupervisorSha256 => Sandbox.Supervisor.BinarySha256;

    /// <summary>The version the supervisor reported.</summary>
    public string SupervisorVersion => Sandbox.Supervisor.Version;
}
