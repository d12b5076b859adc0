namespace OpenShell.DevLoop.Configuration;

/// <summary>The local registry that gateway images are pushed to and the cluster pulls from.</summary>
public sealed class RegistrySettings
{
    /// <summary>Host port, bound on 127.0.0.1 only.</summary>
    public int HostPort { get; set; } = 5000;

    /// <summary>Container name; the same as OpenShell's scripts use, so an old one is found and fixed.</summary>
    public string ContainerName { get; set; } = "openshell-local-registry";

    /// <summary>Volume that keeps pushed images across restarts.</summary>
    public string VolumeName { get; set; } = "openshell-local-registry-data";

    /// <summary>When false, the registry lives only as long as the AppHost (tests use this).</summary>
    public bool Persistent { get; set; } = true;
}
