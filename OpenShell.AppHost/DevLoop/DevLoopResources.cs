using OpenShell.DevLoop.Components;

namespace OpenShell.AppHost.DevLoop;

/// <summary>The dashboard resources the dev loop drives; filled in while the app model is built.</summary>
internal sealed class DevLoopResources
{
    public RuntimeBundleResource? RuntimeBundle { get; set; }

    public OpenShellClusterResource? Cluster { get; set; }

    /// <summary>One resource per catalogue entry, by component name, with the entry.</summary>
    public Dictionary<string, (OpenShellComponentResource Resource, ComponentDefinition Component)> Components { get; } = new(StringComparer.Ordinal);

    public DevLoopWatcherResource? Watcher { get; set; }
}
