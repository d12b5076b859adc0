using System.Globalization;
using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Waits for the gateway StatefulSet (<c>openshell/openshell</c>) to run the expected image: the pod template names it, the
/// controller observed that generation, and every replica is updated and ready. It reads again as soon as a watch of the
/// StatefulSet reports a change (every 200 ms without one). On timeout the error carries the pod's events and last log lines.
/// </summary>
internal static class GatewayRolloutWaiter
{
    public const string Namespace = "openshell";
    public const string Name = "openshell";
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    /// <summary>The image of the StatefulSet's gateway container, or null when the StatefulSet does not exist.</summary>
    public static Task<string?> ReadImageAsync(IKubernetes kube, CancellationToken ct = default) => ReadImageAsync(kube, Namespace, Name, ct);

    /// <summary>
    /// The image of StatefulSet <paramref name="ns"/>/<paramref name="name"/>'s container of that name (else its first), or
    /// null when the StatefulSet does not exist.
    /// </summary>
    public static async Task<string?> ReadImageAsync(IKubernetes kube, string ns, string name, CancellationToken ct = default)
    {
        var sts = await ReadAsync(kube, ns, name, ct).ConfigureAwait(false);
        return ContainerImage(sts, name);
    }

    /// <summary>Waits until the gateway StatefulSet runs <paramref name="expectedImage"/> on every ready replica.</summary>
    /// <exception cref="DeployException">The rollout did not converge within <paramref name="timeout"/>.</exception>
    public static Task WaitAsync(IKubernetes kube, string expectedImage, TimeSpan timeout, Action<string> onProgress, CancellationToken ct = default) =>
        WaitAsync(kube, Namespace, Name, expectedImage, timeout, onProgress, ct);

    /// <summary>Waits until StatefulSet <paramref name="ns"/>/<paramref name="name"/> runs <paramref name="expectedImage"/> on every ready replica.</summary>
    /// <exception cref="DeployException">The rollout did not converge within <paramref name="timeout"/>.</exception>
    public static async Task WaitAsync(IKubernetes kube, string ns, string name, string expectedImage, TimeSpan timeout, Action<string> onProgress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(onProgress);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        // Started before the first read, so no change after it is waited for longer than the watch takes to report it.
        using var changes = ObjectChangeSignal.Start<V1StatefulSet>((onEvent, onError, onClosed) =>
            kube.AppsV1.WatchListNamespacedStatefulSet(ns, fieldSelector: $"metadata.name={name}", onEvent: onEvent, onError: onError, onClosed: onClosed));
        string? lastStatus = null;
        try
        {
            while (true)
            {
                var sts = await ReadAsync(kube, ns, name, deadline.Token).ConfigureAwait(false);
                var status = Describe(sts, expectedImage, out var done, ns, name);
                if (done)
                {
                    onProgress(status);
                    return;
                }

                if (status != lastStatus)
                {
                    lastStatus = status;
                    onProgress(status);
                }

                await changes.WaitAsync(s_poll, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var diagnosis = await DiagnoseAsync(kube, ns, name, ct).ConfigureAwait(false);
            throw new DeployException(DeployStep.GatewayRollout,
                $"The StatefulSet {ns}/{name} did not roll out {expectedImage} within {timeout.TotalSeconds:F0} s (last: {lastStatus ?? "not seen"}).\n{diagnosis}" +
                $"Check the pod with 'kubectl -n {ns} describe pod {name}-0', fix the cause and deploy again.");
        }
    }

    internal static string Describe(V1StatefulSet? sts, string expectedImage, out bool done, string ns = Namespace, string name = Name)
    {
        done = false;
        if (sts is null)
        {
            return $"waiting for StatefulSet {ns}/{name} to be created";
        }

        var image = ContainerImage(sts, name);
        if (image != expectedImage)
        {
            return $"waiting for the StatefulSet to take image {expectedImage} (it has {image ?? "none"})";
        }

        var replicas = sts.Spec?.Replicas ?? 1;
        var status = sts.Status;
        var generation = sts.Metadata?.Generation ?? 0;
        var observed = status?.ObservedGeneration ?? 0;
        var updated = status?.UpdatedReplicas ?? 0;
        var ready = status?.ReadyReplicas ?? 0;
        var sameRevision = status?.UpdateRevision is null || status.UpdateRevision == status.CurrentRevision;
        done = observed >= generation && updated >= replicas && ready >= replicas && sameRevision;
        return string.Create(CultureInfo.InvariantCulture,
            $"rollout: generation {observed}/{generation}, updated {updated}/{replicas}, ready {ready}/{replicas}{(sameRevision ? "" : ", old revision still running")}");
    }

    private static string? ContainerImage(V1StatefulSet? sts, string name) =>
        sts?.Spec?.Template?.Spec?.Containers is { Count: > 0 } containers
            ? (containers.FirstOrDefault(c => c.Name == name) ?? containers[0]).Image
            : null;

    private static async Task<V1StatefulSet?> ReadAsync(IKubernetes kube, string ns, string name, CancellationToken ct)
    {
        try
        {
            return await kube.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<string> DiagnoseAsync(IKubernetes kube, string ns, string name, CancellationToken ct)
    {
        var pod = $"{name}-0";
        var text = new StringBuilder();
        try
        {
            var events = await kube.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={pod}", cancellationToken: ct).ConfigureAwait(false);
            text.Append(CultureInfo.InvariantCulture, $"Events of pod {pod}:\n");
            foreach (var item in events.Items.TakeLast(10))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {item.Type} {item.Reason}: {item.Message}\n");
            }

            if (events.Items.Count == 0)
            {
                text.Append("  (none)\n");
            }
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            text.Append(CultureInfo.InvariantCulture, $"Events of pod {pod} unavailable ({ex.Message}).\n");
        }

        try
        {
            using var log = await kube.CoreV1.ReadNamespacedPodLogAsync(pod, ns, tailLines: 20, cancellationToken: ct).ConfigureAwait(false);
            using var reader = new StreamReader(log);
            text.Append(CultureInfo.InvariantCulture, $"Last log lines of pod {pod}:\n{(await reader.ReadToEndAsync(ct).ConfigureAwait(false)).TrimEnd()}\n");
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            text.Append(CultureInfo.InvariantCulture, $"Logs of pod {pod} unavailable ({ex.Message}).\n");
        }

        return text.ToString();
    }
}
