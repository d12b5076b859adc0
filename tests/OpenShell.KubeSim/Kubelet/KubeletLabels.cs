namespace OpenShell.KubeSim.Kubelet;

/// <summary>The labels on every container the kubelet creates, so a restarted simulator finds (and cleans) its own.</summary>
internal static class KubeletLabels
{
    public const string Node = "dev.openshell.kubesim.node";
    public const string PodUid = "dev.openshell.kubesim.pod-uid";
    public const string PodName = "dev.openshell.kubesim.pod-name";
    public const string PodNamespace = "dev.openshell.kubesim.pod-namespace";
    public const string Container = "dev.openshell.kubesim.container";

    /// <summary>The value of <see cref="Container"/> on a pod's network holder.</summary>
    public const string PauseContainer = "POD";
}
