namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// Everything needed to run a cluster node container, shared by the AppHost resource and <c>openshell-dev cluster up</c>.
/// Free of Docker and Aspire types so either can map it.
/// </summary>
/// <param name="ClusterName">The normalised cluster name.</param>
/// <param name="ContainerName">The container name (<c>openshell-cluster-&lt;name&gt;</c>).</param>
/// <param name="VolumeName">The volume mounted at <see cref="DataPath"/> (same name as the container).</param>
/// <param name="Image">The cluster image.</param>
/// <param name="Network">The network shared with the registry container.</param>
/// <param name="Privileged">Run privileged with the host cgroup namespace.</param>
/// <param name="GatewayHostPort">The port on the engine's <see cref="PublishAddress"/> the gateway NodePort is published on; 0 lets the engine pick one.</param>
/// <param name="GatewayNodePort">The gateway's NodePort in the cluster.</param>
/// <param name="Environment">The container environment (may hold registry credentials: never log values).</param>
/// <param name="Arguments">The arguments passed to the entrypoint (k3s's <c>server ...</c>).</param>
public sealed record ClusterContainerSpec(
    string ClusterName,
    string ContainerName,
    string VolumeName,
    string Image,
    string Network,
    bool Privileged,
    int GatewayHostPort,
    int GatewayNodePort,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// Host names mapped to the host (<c>host.docker.internal:host-gateway</c>, as OpenShell's node gets): the entrypoint
    /// passes the address to the chart (<c>hostGatewayIP</c>) so sandbox pods reach services on the host.
    /// </summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    /// <summary>
    /// The engine socket on the host, bind-mounted at <see cref="EngineSocketPath"/> so the node runs pods as containers
    /// (<c>OpenShell:Cluster:RunPods</c>), or null. Whoever holds it controls the whole engine.
    /// </summary>
    public string? EngineSocket { get; init; }

    /// <summary>
    /// The host IP on the engine's machine the API and the gateway are published on: its loopback, unless a <c>tcp://</c>
    /// engine's <c>OpenShell:Cluster:RemoteBindAddress</c> says otherwise (see <see cref="Engine.EnginePortPlan"/>).
    /// </summary>
    public string PublishAddress { get; init; } = Engine.EnginePortPlan.DefaultBindAddress;

    /// <summary>Where the engine socket is mounted in the node.</summary>
    public const string EngineSocketPath = "/var/run/docker.sock";

    /// <summary>The label on the containers the node's pods run in, with the node container's name as value.</summary>
    public const string PodNodeLabel = "dev.openshell.kubesim.node";

    /// <summary>How GPUs are handed to the node (<see cref="GpuModes"/>), or null for none.</summary>
    public string? GpuMode { get; init; }

    /// <summary>Where k3s keeps its state.</summary>
    public const string DataPath = "/var/lib/rancher/k3s";

    /// <summary>The Kubernetes API port inside the container (published on a free port of <see cref="PublishAddress"/>).</summary>
    public const int ApiPort = 6443;

    /// <summary>The kubeconfig k3s writes inside the container.</summary>
    public const string KubeconfigPath = "/etc/rancher/k3s/k3s.yaml";

    /// <summary>A label on every container the dev host creates, with the cluster name as value.</summary>
    public const string ClusterLabel = "dev.openshell.cluster";
}
