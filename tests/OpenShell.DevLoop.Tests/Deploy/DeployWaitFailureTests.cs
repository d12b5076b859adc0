using k8s;
using k8s.Models;
using OpenShell.DevLoop.Deploy;
using OpenShell.KubeSim;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>How the rollout and helm-job waits fail, against the Kubernetes API simulator (in process, no Docker).</summary>
public sealed class DeployWaitFailureTests
{
    private const string Expected = "127.0.0.1:5000/openshell/gateway@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    [Fact]
    public async Task A_rollout_that_never_converges_fails_with_the_pods_events_and_the_fix()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = GatewayRolloutWaiter.Namespace } });
        sim.Faults.NeverConverge(true);
        await kube.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet(Expected), GatewayRolloutWaiter.Namespace);
        await kube.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "openshell-0.pull" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "openshell-0", NamespaceProperty = GatewayRolloutWaiter.Namespace },
            Type = "Warning",
            Reason = "Failed",
            Message = "Failed to pull image: not found",
        }, GatewayRolloutWaiter.Namespace);
        var progress = new List<string>();

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            GatewayRolloutWaiter.WaitAsync(kube, Expected, TimeSpan.FromSeconds(2), progress.Add));

        Assert.Equal(DeployStep.GatewayRollout, error.Step);
        Assert.Contains($"did not roll out {Expected} within 2 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("Warning Failed: Failed to pull image: not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("kubectl -n openshell describe pod openshell-0", error.Message, StringComparison.Ordinal);
        Assert.Contains(progress, line => line.StartsWith("rollout: generation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rollout_waiting_for_another_image_says_which_image_it_has()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = GatewayRolloutWaiter.Namespace } });
        await kube.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("old/gateway:dev"), GatewayRolloutWaiter.Namespace);

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            GatewayRolloutWaiter.WaitAsync(kube, Expected, TimeSpan.FromSeconds(1), _ => { }));

        Assert.Contains("it has old/gateway:dev", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_helm_job_names_the_job_its_reason_and_where_its_log_is()
    {
        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions { HelmJobDelay = TimeSpan.FromHours(1) });
        using var kube = sim.CreateClient();
        await TestHelmChart.CreateAsync(kube);
        var job = await WaitForJobAsync(kube);
        await kube.BatchV1.PatchNamespacedJobStatusAsync(new V1Patch(
            """{"status":{"active":0,"failed":6,"conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}}""",
            V1Patch.PatchType.MergePatch), job, HelmChartDeployer.Namespace);

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            HelmJobWaiter.WaitAsync(kube, previousJobUid: null, TimeSpan.FromSeconds(10), _ => { }));

        Assert.Equal(DeployStep.HelmUpgrade, error.Step);
        Assert.Contains($"helm job kube-system/{job} failed (BackoffLimitExceeded: Job has reached the specified backoff limit)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"kubectl -n kube-system logs job/{job}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_helm_job_that_never_finishes_times_out_with_its_last_state()
    {
        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions { HelmJobDelay = TimeSpan.FromHours(1) });
        using var kube = sim.CreateClient();
        await TestHelmChart.CreateAsync(kube);
        var job = await WaitForJobAsync(kube);

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            HelmJobWaiter.WaitAsync(kube, previousJobUid: null, TimeSpan.FromSeconds(1), _ => { }));

        Assert.Contains("did not finish within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Contains($"helm job {job}: active 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("DEPLOY_FAST_HELM_WAIT", error.Message, StringComparison.Ordinal);
    }

    private static V1StatefulSet StatefulSet(string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = GatewayRolloutWaiter.Name },
        Spec = new V1StatefulSetSpec
        {
            Replicas = 1,
            ServiceName = GatewayRolloutWaiter.Name,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "openshell" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "openshell" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = GatewayRolloutWaiter.Name, Image = image }] },
            },
        },
    };

    // k3s's controller creates the job asynchronously.
    private static async Task<string> WaitForJobAsync(IKubernetes kube)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var jobName = HelmChartDeployer.JobName(await HelmChartDeployer.ReadAsync(kube));
            if (await HelmChartDeployer.ReadJobAsync(kube, jobName, CancellationToken.None) is { Status.Active: > 0 })
            {
                return jobName;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the simulator never started the helm job {jobName}");
            await Task.Delay(50);
        }
    }
}
