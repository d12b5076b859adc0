using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.AppHost.Sandboxes;

/// <summary>Connects to the gateway the dashboard shows, and says which supervisor the node has.</summary>
internal interface ISandboxGateway
{
    /// <summary>A client for the running gateway.</summary>
    /// <exception cref="SandboxException">No cluster runs yet, or its port or certificate is missing.</exception>
    SandboxClient Connect();

    /// <summary>The sha256 of the supervisor binary on the node, once known.</summary>
    string? NodeSupervisorSha256 { get; }

    /// <summary>Raised when the cluster starts or the node's supervisor changes.</summary>
    event Action? Changed;
}
