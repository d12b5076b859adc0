namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// The simulator's optional kubelet: pods bound to the node run as containers on a Docker engine. Off unless
/// <see cref="Mode"/> is <see cref="KubeletMode.Docker"/>; whatever is left null is discovered from the container the
/// simulator itself runs in (its network, name and image), so only in-process use needs to set it.
/// </summary>
public sealed class KubeletOptions
{
    /// <summary>Whether pods run at all.</summary>
    public KubeletMode Mode { get; set; } = KubeletMode.None;

    /// <summary>The engine endpoint; null = <c>unix:///var/run/docker.sock</c>.</summary>
    public Uri? DockerEndpoint { get; set; }

    /// <summary>The Docker network pods join; null = the simulator container's network.</summary>
    public string? Network { get; set; }

    /// <summary>Labels the containers of this node (and prefixes their names); null = the simulator container's name.</summary>
    public string? NodeId { get; set; }

    /// <summary>The host name pods reach the API at (<c>KUBERNETES_SERVICE_HOST</c>); null = the simulator container's name.</summary>
    public string? ApiHost { get; set; }

    /// <summary>The image of each pod's network holder, which runs <c>sleep infinity</c>; null = the simulator container's image.</summary>
    public string? PauseImage { get; set; }

    /// <summary>Extra <c>host:ip</c> entries for every pod (e.g. <c>host.docker.internal:host-gateway</c>).</summary>
    public IList<string> ExtraHosts { get; } = [];

    /// <summary>Where <c>hostPath</c> volumes are read from: a pod's <c>/opt/x</c> is copied from <c>{HostPathRoot}/opt/x</c>.</summary>
    public string HostPathRoot { get; set; } = "/";

    /// <summary>The first restart delay of a crashed container, doubled on each restart up to <see cref="MaxRestartBackoff"/>.</summary>
    public TimeSpan RestartBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest restart delay.</summary>
    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an image pull may take.</summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>How the simulator runs pods.</summary>
public enum KubeletMode
{
    /// <summary>Pods are marked Running; nothing runs (the default).</summary>
    None,

    /// <summary>Pods run as containers on the Docker engine.</summary>
    Docker,
}
