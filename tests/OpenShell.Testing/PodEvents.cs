using k8s;
using k8s.Models;

namespace OpenShell.Testing;

/// <summary>Kubernetes events recorded against a pod, as the kubelet would record them.</summary>
public static class PodEvents
{
    /// <summary>Records one event of <paramref name="type"/> (<c>Normal</c>, <c>Warning</c>) about <paramref name="pod"/> at <paramref name="at"/>.</summary>
    /// <param name="kubernetes">The API to record it through.</param>
    /// <param name="namespace">The pod's namespace.</param>
    /// <param name="pod">The pod's name.</param>
    /// <param name="uid">The pod's uid; null or another uid stands for an event of an earlier pod of the same name.</param>
    /// <param name="type">The event type.</param>
    /// <param name="reason">The reason (<c>ErrImagePull</c>).</param>
    /// <param name="message">The message.</param>
    /// <param name="at">Its last timestamp.</param>
    public static Task RecordAsync(IKubernetes kubernetes, string @namespace, string pod, string? uid, string type, string reason, string message, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        return kubernetes.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { GenerateName = pod + "." },
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = @namespace, Uid = uid },
                Type = type,
                Reason = reason,
                Message = message,
                Count = 1,
                LastTimestamp = at,
            },
            @namespace);
    }
}
