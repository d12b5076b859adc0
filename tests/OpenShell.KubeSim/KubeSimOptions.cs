namespace OpenShell.KubeSim;

/// <summary>How a <see cref="KubeSimServer"/> listens, where it writes its kubeconfig and how fast its controllers act.</summary>
public sealed class KubeSimOptions
{
    /// <summary>The HTTPS port; 0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>The address to bind (use 0.0.0.0 in a container).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Where to write the kubeconfig; null writes a temp file that is deleted on dispose.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>How long a StatefulSet rollout takes before it converges.</summary>
    public TimeSpan RolloutDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a created pod stays Pending before it runs.</summary>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a Job (including a HelmChart's <c>helm-install-*</c> Job) runs before it completes.</summary>
    public TimeSpan HelmJobDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A k3s auto-deploy folder whose <c>*.yaml</c> files are applied at start and on change; null = none.</summary>
    public string? ManifestsDirectory { get; set; }

    /// <summary>The kubelet: off (pods are only marked Running) unless <see cref="Kubelet.KubeletOptions.Mode"/> is Docker.</summary>
    public Kubelet.KubeletOptions Kubelet { get; } = new();

    /// <summary>
    /// A helm binary to render HelmCharts whose chart the simulator holds (see <see cref="StaticChartsDirectory"/>); null =
    /// HelmCharts only create or update the <c>openshell</c> StatefulSet. The k3s-sim image sets <c>/bin/helm</c>.
    /// </summary>
    public string? HelmBinary { get; set; }

    /// <summary>Where <c>https://%{KUBERNETES_API}%/static/charts/NAME.tgz</c> is read from (k3s's static charts folder).</summary>
    public string StaticChartsDirectory { get; set; } = "/var/lib/rancher/k3s/server/static/charts";

    /// <summary>Extra subject alternative names for the serving certificate besides localhost and 127.0.0.1.</summary>
    public IList<string> TlsSubjectAlternativeNames { get; } = [];

    /// <summary>The server URL written into the kubeconfig; null = https://127.0.0.1:PORT.</summary>
    internal string? KubeconfigServer { get; set; }

    /// <summary>How many changes are kept for watches that resume from a resourceVersion (older ones get 410 Expired).</summary>
    internal int WatchHistoryLimit { get; set; } = Store.ObjectStore.DefaultHistoryLimit;

    /// <summary>Writes request and controller logs to the console (standalone mode).</summary>
    internal bool ConsoleLogging { get; set; }
}
