using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Sandboxes;
using OpenShell.DevLoop.Session;

namespace OpenShell.AppHost.Sandboxes;

/// <summary>The dev session's gateway: its published port and the PKI under <c>.cache/</c>; the node's supervisor from its deploys.</summary>
internal sealed class SessionSandboxGateway : ISandboxGateway, IDisposable
{
    private readonly DevSession _session;
    private readonly OpenShellSettings _settings;
    private string? _nodeSha256;

    public SessionSandboxGateway(DevSession session, OpenShellSettings settings)
    {
        _session = session;
        _settings = settings;
        _session.Changed += OnSessionChanged;
    }

    public event Action? Changed;

    public string? NodeSupervisorSha256 => Volatile.Read(ref _nodeSha256);

    public SandboxClient Connect()
    {
        if (_session.Cluster is not { } cluster)
        {
            throw new SandboxException("the cluster is not running yet", "Wait until the cluster resource is Running.");
        }

        return SandboxClient.Connect(GatewayEndpoint.Resolve(_session.Paths, cluster.GatewayHostPort is > 0 ? cluster.GatewayHostPort : _settings.Cluster.GatewayPort));
    }

    public void Dispose() => _session.Changed -= OnSessionChanged;

    private void NodeRuns(string sha256)
    {
        if (Interlocked.Exchange(ref _nodeSha256, sha256) != sha256)
        {
            Changed?.Invoke();
        }
    }

    private void OnSessionChanged(SessionEvent change)
    {
        switch (change)
        {
            // The node runs a new build from its swap on (before the deploy's sandbox verification ends).
            case BinarySwapped { Sha256: { Length: > 0 } swapped }:
                NodeRuns(swapped);
                break;
            case ComponentDeployed { Kind: ComponentKind.Binary, Facts.Sha256: { Length: > 0 } deployed }:
                NodeRuns(deployed);
                break;
            case ClusterChanged { Cluster: not null }:
                Changed?.Invoke();
                break;
        }
    }
}
