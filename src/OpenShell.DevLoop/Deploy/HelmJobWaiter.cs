using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Waits for k3s's helm job that the HelmChart update started (a job other than the one that ran before), reading again as
/// soon as a watch of the namespace's jobs reports a change (every 200 ms without one).
/// </summary>
internal static class HelmJobWaiter
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Waits until a helm job of OpenShell's HelmChart newer than <paramref name="previousJobUid"/> succeeded.</summary>
    /// <exception cref="DeployException">The job failed or did not finish within <paramref name="timeout"/>.</exception>
    public static Task WaitAsync(IKubernetes kube, string? previousJobUid, TimeSpan timeout, Action<string> onProgress, CancellationToken ct = default) =>
        WaitAsync(kube, HelmChartDeployer.Name, previousJobUid, timeout, onProgress, ct);

    /// <summary>Waits until a helm job of the HelmChart <paramref name="release"/> newer than <paramref name="previousJobUid"/> succeeded.</summary>
    /// <exception cref="DeployException">The job failed or did not finish within <paramref name="timeout"/>.</exception>
    public static async Task WaitAsync(IKubernetes kube, string release, string? previousJobUid, TimeSpan timeout, Action<string> onProgress, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        using var changes = ObjectChangeSignal.Start<V1Job>((onEvent, onError, onClosed) =>
            kube.BatchV1.WatchListNamespacedJob(HelmChartDeployer.Namespace, onEvent: onEvent, onError: onError, onClosed: onClosed));
        string? lastStatus = null;
        try
        {
            while (true)
            {
                var chart = await HelmChartDeployer.ReadAsync(kube, release, deadline.Token).ConfigureAwait(false);
                var jobName = HelmChartDeployer.JobName(chart, release);
                var job = await HelmChartDeployer.ReadJobAsync(kube, jobName, deadline.Token).ConfigureAwait(false);
                string status;
                if (job is null || job.Metadata?.Uid == previousJobUid)
                {
                    status = $"waiting for the helm job {jobName} to start";
                }
                else if (job.Status?.Succeeded is > 0)
                {
                    onProgress($"helm job {jobName} succeeded");
                    return;
                }
                else if (job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
                {
                    throw new DeployException(DeployStep.HelmUpgrade,
                        $"The helm job {HelmChartDeployer.Namespace}/{jobName} failed ({failed.Reason}: {failed.Message}). Its pod's log says why: 'kubectl -n {HelmChartDeployer.Namespace} logs job/{jobName}'. Fix the chart or values and deploy again.");
                }
                else
                {
                    status = $"helm job {jobName}: active {job.Status?.Active ?? 0}, failed attempts {job.Status?.Failed ?? 0}";
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
            var text = new StringBuilder($"The helm job did not finish within {timeout.TotalSeconds:F0} s (last: {lastStatus ?? "nothing seen"}). ");
            text.Append(CultureInfo.InvariantCulture, $"Inspect it with 'kubectl -n {HelmChartDeployer.Namespace} describe job helm-install-{release}', or set DEPLOY_FAST_HELM_WAIT=0 to skip the wait when the gateway did not change.");
            throw new DeployException(DeployStep.HelmUpgrade, text.ToString());
        }
    }
}
