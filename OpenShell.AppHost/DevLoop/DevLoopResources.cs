namespace OpenShell.AppHost.DevLoop;

/// <summary>The dashboard resources the dev loop drives; filled in while the app model is built.</summary>
internal sealed class DevLoopResources
{
    public RuntimeBundleResource? RuntimeBundle { get; set; }

    public OpenShellClusterResource? Cluster { get; set; }

    public OpenShellComponentResource? Gateway { get; set; }

    public OpenShellComponentResource? Supervisor { get; set; }

    public OpenShellComponentResource? Chart { get; set; }

    public DevLoopWatcherResource? Watcher { get; set; }
}
