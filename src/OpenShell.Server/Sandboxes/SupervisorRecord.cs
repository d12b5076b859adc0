namespace OpenShell.Server.Sandboxes;

/// <summary>What a sandbox's supervisor told the gateway.</summary>
internal sealed record SupervisorRecord(
    string SandboxId,
    string Version,
    string BinarySha256,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastHeartbeatAt,
    int? ExitCode = null,
    int Signal = 0);
