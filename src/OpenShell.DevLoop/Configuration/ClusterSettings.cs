namespace OpenShell.DevLoop.Configuration;

/// <summary>
/// The single-container k3s cluster: section <c>OpenShell:Cluster</c>, also fed by the upstream variables
/// (<c>CLUSTER_NAME</c>, <c>IMAGE_TAG</c>, <c>GATEWAY_PORT</c>, <c>CLUSTER_GPU</c>, <c>SKIP_CLUSTER_IMAGE_BUILD</c>,
/// <c>IMAGE_REPO_BASE</c>, <c>OPENSHELL_REGISTRY</c>), see <see cref="UpstreamVariables"/>.
/// </summary>
public sealed class ClusterSettings
{
    /// <summary>The cluster name; empty means the repository folder's name, normalised.</summary>
    public string? Name { get; set; }

    /// <summary>The repository of the cluster image built from the working tree.</summary>
    public string ImageRepository { get; set; } = "openshell/cluster";

    /// <summary>The tag of the cluster image and of the gateway image (<c>IMAGE_TAG</c>).</summary>
    public string ImageTag { get; set; } = "dev";

    /// <summary>Where gateway images are pushed and pulled from (<c>IMAGE_REPO_BASE</c> / <c>OPENSHELL_REGISTRY</c>).</summary>
    public string ImageRepoBase { get; set; } = "127.0.0.1:5000/openshell";

    /// <summary>Run the node privileged with the host cgroup namespace (real k3s needs it; some engines refuse it).</summary>
    public bool Privileged { get; set; } = true;

    /// <summary>Enable the GPU runtime in the node (<c>CLUSTER_GPU=1</c>).</summary>
    public bool Gpu { get; set; }

    /// <summary>
    /// How GPUs reach the node when <see cref="Gpu"/> is on: <c>legacy</c> (all GPUs through the NVIDIA runtime, capability
    /// <c>gpu</c>) or <c>cdi</c> (the CDI device <c>nvidia.com/gpu=all</c>; needs an engine with CDI support).
    /// </summary>
    public string GpuMode { get; set; } = Cluster.GpuModes.Legacy;

    /// <summary>The k3s node name; empty means <c>openshell-&lt;cluster name&gt;</c> (<c>OPENSHELL_NODE_NAME</c>).</summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// Make the health check require the gateway NodePort to accept TCP (where a gateway process really serves it;
    /// off in the Offline profile, whose stand-in runs no pods).
    /// </summary>
    public bool GatewayTcpCheck { get; set; } = true;

    /// <summary>
    /// The port of the dev host's OTLP relay on the Docker host's bridge address, where the gateway and its sandboxes
    /// export traces and logs for the dashboard (the node hands it to the chart); 0 turns the export off.
    /// </summary>
    public int OtlpRelayPort { get; set; } = DefaultOtlpRelayPort;

    /// <summary>The default <see cref="OtlpRelayPort"/>: beside the dashboard's own ports (18888–18891).</summary>
    public const int DefaultOtlpRelayPort = 18892;

    /// <summary>
    /// Run pods as containers on the Docker engine (the Kubernetes API simulator's kubelet; on in the Offline profile).
    /// The node container then gets the engine's socket, which is full control of the engine; ignored by a real k3s
    /// node, which runs its own containerd.
    /// </summary>
    public bool RunPods { get; set; }

    /// <summary>The host port of the gateway (<c>GATEWAY_PORT</c>); unset means one chosen once and kept in <c>.env</c>.</summary>
    public int? GatewayPort { get; set; }

    /// <summary>The gateway's NodePort inside the cluster, published on <see cref="GatewayPort"/>.</summary>
    public int GatewayNodePort { get; set; } = 30051;

    /// <summary>Use an existing cluster image instead of building one (<c>SKIP_CLUSTER_IMAGE_BUILD=1</c>).</summary>
    public bool SkipImageBuild { get; set; }

    /// <summary>
    /// For a <c>tcp://</c> engine: the address on the engine's machine the node (API, gateway) and the dev registry publish
    /// their ports on. The default, its loopback, keeps them off the network (reach them with
    /// <c>OpenShell:Engine:SshTunnel</c>); any other address exposes them, unauthenticated, to whoever reaches it.
    /// Engines reached by socket or <c>ssh://</c> always publish on loopback.
    /// </summary>
    public string RemoteBindAddress { get; set; } = Engine.EnginePortPlan.DefaultBindAddress;

    /// <summary>The container network shared by the cluster and the registry.</summary>
    public string Network { get; set; } = "openshell-dev";

    /// <summary>Optional registry user name the node pulls with (<c>REGISTRY_USERNAME</c>).</summary>
    public string? RegistryUsername { get; set; }

    /// <summary>Optional registry password the node pulls with (<c>REGISTRY_PASSWORD</c>); never logged.</summary>
    public string? RegistryPassword { get; set; }

    /// <summary>
    /// How long to wait for the node to report healthy; more than the health check can take to give its verdict
    /// (<see cref="Cluster.ClusterHealthCheck.LongestStartSeconds"/>), so a slow first boot is not given up on.
    /// </summary>
    public int HealthTimeoutSeconds { get; set; } = 360;

    /// <summary>
    /// Serve the gateway in plaintext HTTP (gRPC over h2c) instead of mTLS (<c>--plaintext</c>); insecure. Chosen when the
    /// cluster is created: a cluster keeps its mode until it is recreated.
    /// </summary>
    public bool Plaintext { get; set; }

    /// <summary>Keep TLS but do not require client certificates (<c>--disable-gateway-auth</c>); insecure. Chosen when the cluster is created.</summary>
    public bool DisableGatewayAuth { get; set; }

    /// <summary>The gateway security these settings ask for.</summary>
    public Cluster.GatewaySecurity GatewaySecurity => Cluster.GatewaySecurityModes.From(Plaintext, DisableGatewayAuth);

    /// <summary>The full cluster image reference.</summary>
    public string Image => $"{ImageRepository}:{ImageTag}";
}
