namespace OpenShell.DevLoop.Sandboxes;

/// <summary>What to create.</summary>
/// <param name="Name">The sandbox's name (a DNS-1123 label); null generates one.</param>
/// <param name="From">A community sandbox name (<c>base</c>), an image reference, or null for the gateway's default.</param>
/// <param name="Command">The workload; empty keeps the sandbox idle until it is deleted.</param>
public sealed record SandboxCreateRequest(string? Name = null, string? From = null, IReadOnlyList<string>? Command = null)
{
    /// <summary>How long to wait for the supervisor to register (default 2 minutes: an image pull can be slow).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}
