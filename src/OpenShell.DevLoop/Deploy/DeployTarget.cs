using k8s;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Planning;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// The cluster one deploy works on, as the kind deployers see it: the checkout, the plan and request, the node container,
/// its architecture, and a Kubernetes client made on first use (a recreated container publishes its API on another port,
/// so the client never outlives the deploy).
/// </summary>
internal sealed class DeployTarget(
    string repositoryRoot, DeployPlan plan, DeployRequest request, string containerId, string architecture, Func<CancellationToken, Task<IKubernetes>>? connect,
    int? gatewayHostPort = null, IEnginePorts? ports = null)
    : IDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IKubernetes? _kube;

    /// <summary>The checkout's root folder.</summary>
    public string RepositoryRoot { get; } = repositoryRoot;

    /// <summary>The plan being deployed.</summary>
    public DeployPlan Plan { get; } = plan;

    /// <summary>The deploy's request (timeouts, supervisor build, pull progress).</summary>
    public DeployRequest Request { get; } = request;

    /// <summary>The cluster node container's id.</summary>
    public string ContainerId { get; } = containerId;

    /// <summary>The cluster's architecture (<c>amd64</c>, <c>arm64</c>).</summary>
    public string Architecture { get; } = architecture;

    /// <summary>The port on this machine's 127.0.0.1 that reaches the gateway the node publishes, when it publishes one.</summary>
    public int? GatewayHostPort { get; } = gatewayHostPort;

    /// <summary>How this machine reaches the ports published on the engine's loopback (the dev registry).</summary>
    public IEnginePorts Ports { get; } = ports ?? LoopbackEnginePorts.Instance;

    /// <summary>The cluster's Kubernetes API, connected on first use.</summary>
    public async Task<IKubernetes> KubernetesAsync(CancellationToken ct)
    {
        if (connect is null)
        {
            throw new InvalidOperationException("This deploy target has no Kubernetes API.");
        }

        await _connecting.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _kube ??= await connect(ct).ConfigureAwait(false);
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Closes the Kubernetes client.</summary>
    public void Dispose()
    {
        _kube?.Dispose();
        _connecting.Dispose();
    }
}
