namespace OpenShell.KubeSim.Kubelet;

/// <summary>A pod's container cannot be configured (a missing Secret, ConfigMap or key): its state is <c>CreateContainerConfigError</c>.</summary>
internal sealed class PodConfigException(string message) : Exception(message);
