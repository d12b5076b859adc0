using System.Net;
using System.Text;
using Docker.DotNet.Models;
using k8s;
using k8s.Autorest;
using k8s.Models;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests.Kubelet;

/// <summary>The simulator's Docker kubelet against the real engine: pods run as containers and their status follows them.</summary>
public sealed class KubeletTests(KubeletFixture fixture) : IClassFixture<KubeletFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    private IKubernetes Client => fixture.Client;

    [RequiresDocker]
    public async Task Pod_runs_with_its_environment_secret_and_configmap_files_hostPath_copy_user_and_service_account()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, StringData = new Dictionary<string, string> { ["password"] = "hunter2", ["token"] = "tok-42" } }, ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["greeting"] = "hello-from-configmap" } }, ns);
        var tool = fixture.HostRoot.Combine("opt", "openshell", "bin", "tool");
        Directory.CreateDirectory(Path.GetDirectoryName(tool)!);
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho tool-ran-from-node\n");
        File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);

        // The shape of the supervisor's dev build on a node: a relative link into a folder of hard links to a store.
        var bin = Path.GetDirectoryName(tool)!;
        var store = Path.Combine(bin, ".linked.files", "abc");
        Directory.CreateDirectory(Path.GetDirectoryName(store)!);
        await File.WriteAllTextAsync(store, "#!/bin/sh\necho linked-tool-ran\n");
        File.SetUnixFileMode(store, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(bin, ".linked.d", "tree"));
        (await TestProcess.RunAsync("ln", [store, Path.Combine(bin, ".linked.d", "tree", "linked-tool")])).EnsureSuccess("ln");
        File.CreateSymbolicLink(Path.Combine(bin, "linked-tool"), ".linked.d/tree/linked-tool");

        var script = string.Join("; ",
            "echo \"env: $FROM_SECRET $FROM_CONFIGMAP $POD_NAME $POD_NAMESPACE ip=$POD_IP $LITERAL $EXPANDED\"",
            "echo \"api: $KUBERNETES_SERVICE_HOST\"",
            "echo \"file: $(cat /etc/creds/password)\"",
            "echo \"item: $(cat /etc/settings/hello.txt)\"",
            "/opt/openshell/bin/tool",
            "/opt/openshell/bin/linked-tool",
            "echo \"links: $(readlink /opt/openshell/bin/linked-tool) $(stat -c %h /opt/openshell/bin/.linked.files/abc)\"",
            "echo \"sa: $(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace) $(head -c 27 /var/run/secrets/kubernetes.io/serviceaccount/ca.crt)\"",
            "echo \"user: $(id -u):$(id -g) cwd: $(pwd)\"");
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "runner" },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                SecurityContext = new V1PodSecurityContext { RunAsUser = 4321, RunAsGroup = 4322 },
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Image = KubeletFixture.ShellImage,
                        ImagePullPolicy = "IfNotPresent",
                        Command = ["sh", "-c"],
                        Args = [script],
                        WorkingDir = "/tmp",
                        Env =
                        [
                            new V1EnvVar { Name = "FROM_SECRET", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "token" } } },
                            new V1EnvVar { Name = "FROM_CONFIGMAP", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "greeting" } } },
                            new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                            new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                            new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
                            new V1EnvVar { Name = "LITERAL", Value = "plain" },
                            new V1EnvVar { Name = "EXPANDED", Value = "$(LITERAL)-expanded" },
                        ],
                        VolumeMounts =
                        [
                            new V1VolumeMount { Name = "creds", MountPath = "/etc/creds", ReadOnlyProperty = true },
                            new V1VolumeMount { Name = "settings", MountPath = "/etc/settings" },
                            new V1VolumeMount { Name = "bin", MountPath = "/opt/openshell/bin", ReadOnlyProperty = true },
                        ],
                    },
                ],
                Volumes =
                [
                    new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "creds" } },
                    new V1Volume { Name = "settings", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings", Items = [new V1KeyToPath { Key = "greeting", Path = "hello.txt" }] } },
                    new V1Volume { Name = "bin", HostPath = new V1HostPathVolumeSource { Path = "/opt/openshell/bin", Type = "Directory" } },
                ],
            },
        }, ns);

        var done = await WaitForPodAsync(ns, "runner", p => p.Status?.Phase == "Succeeded", "the pod to succeed");
        var terminated = done.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal(0, terminated.ExitCode);
        Assert.Equal("Completed", terminated.Reason);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", done.Status.PodIP);

        var logs = await ReadLogAsync(ns, "runner");
        Assert.Contains($"env: tok-42 hello-from-configmap runner {ns} ip={done.Status.PodIP} plain plain-expanded", logs, StringComparison.Ordinal);
        Assert.Contains("api: host.docker.internal", logs, StringComparison.Ordinal);
        Assert.Contains("file: hunter2", logs, StringComparison.Ordinal);
        Assert.Contains("item: hello-from-configmap", logs, StringComparison.Ordinal);
        Assert.Contains("tool-ran-from-node", logs, StringComparison.Ordinal);
        Assert.Contains("linked-tool-ran", logs, StringComparison.Ordinal);
        Assert.Contains("links: .linked.d/tree/linked-tool 2", logs, StringComparison.Ordinal);
        Assert.Contains($"sa: {ns} -----BEGIN CERTIFICATE-----", logs, StringComparison.Ordinal);
        Assert.Contains("user: 4321:4322 cwd: /tmp", logs, StringComparison.Ordinal);

        // The real kubectl reads the same logs through the API, the last line only with --tail.
        var kubectl = await KubeTools.KubectlAsync();
        var tail = (await TestProcess.RunAsync(kubectl, ["--kubeconfig", fixture.Server.KubeconfigPath, "logs", "runner", "-n", ns, "--tail=1"], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess("kubectl logs");
        Assert.Equal("user: 4321:4322 cwd: /tmp", tail.Stdout.Trim());

        var events = await Client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.InvolvedObject.Uid == pod.Metadata.Uid && e.Reason == "Started");
    }

    [RequiresDocker]
    public async Task Exit_codes_set_the_phase_and_restarts_follow_the_restart_policy()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("fails", "Never", "echo failing; exit 3"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("retries", "OnFailure", "if [ -f /tmp/ran-once ]; then exit 0; fi; touch /tmp/ran-once; exit 7"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("always", "Always", "exit 0"), ns);

        var failed = await WaitForPodAsync(ns, "fails", p => p.Status?.Phase is "Failed" or "Succeeded", "the failing pod to end");
        Assert.Equal("Failed", failed.Status.Phase);
        var terminated = failed.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal((3, "Error"), (terminated.ExitCode, terminated.Reason));
        Assert.Equal(0, failed.Status.ContainerStatuses.Single().RestartCount);

        var retried = await WaitForPodAsync(ns, "retries", p => p.Status?.Phase is "Failed" or "Succeeded", "the retried pod to end");
        Assert.Equal("Succeeded", retried.Status.Phase);
        var status = retried.Status.ContainerStatuses.Single();
        Assert.Equal(1, status.RestartCount);
        Assert.Equal(7, status.LastState.Terminated.ExitCode);
        Assert.Equal(0, status.State.Terminated.ExitCode);

        // restartPolicy Always restarts even a clean exit, and the pod stays Running.
        var always = await WaitForPodAsync(ns, "always", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 2, "two restarts");
        Assert.Equal("Running", always.Status.Phase);
        Assert.Equal(0, always.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
    }

    [RequiresDocker]
    public async Task A_startup_probe_holds_started_and_readiness_back_until_it_passes_and_readiness_is_then_probed_at_once()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        var pod = ShellPod("slow-start", "Always", "sleep 10; touch /tmp/up; sleep 600", terminationGrace: 0);
        var main = pod.Spec.Containers[0];
        main.StartupProbe = new V1Probe { Exec = new V1ExecAction { Command = ["test", "-f", "/tmp/up"] }, PeriodSeconds = 1, FailureThreshold = 60 };

        // It would pass at any time, but its period is 60 s: ready well before that shows it ran when start-up passed.
        main.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["true"] }, PeriodSeconds = 60 };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        var starting = await WaitForPodAsync(ns, "slow-start", p => p.Status?.Phase == "Running", "the pod to run");
        Assert.False(starting.Status.ContainerStatuses.Single().Started);
        Assert.False(IsReady(starting));

        var ready = await Eventually.WaitForAsync(
            () => Client.CoreV1.ReadNamespacedPodAsync("slow-start", ns), IsReady, $"{ns}/slow-start: ready within 45 s of running", TimeSpan.FromSeconds(45));
        Assert.True(ready.Status.ContainerStatuses.Single().Started);
        Assert.Equal(0, ready.Status.ContainerStatuses.Single().RestartCount);
    }

    [RequiresDocker]
    public async Task A_startup_probe_that_keeps_failing_kills_the_container_and_it_restarts()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        var pod = ShellPod("never-starts", "Always", "sleep 600", terminationGrace: 0);
        pod.Spec.Containers[0].StartupProbe = new V1Probe { Exec = new V1ExecAction { Command = ["false"] }, PeriodSeconds = 1, FailureThreshold = 2 };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        var restarted = await WaitForPodAsync(ns, "never-starts", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 1, "a restart after the startup probe failed");
        Assert.False(IsReady(restarted));
        Assert.Equal(137, restarted.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
        var events = await Client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.Reason == "Killing" && e.Message.Contains("failed startup probe", StringComparison.Ordinal));
        Assert.Contains(events.Items, e => e.Reason == "Unhealthy" && e.Message.Contains("Startup probe failed 2 times", StringComparison.Ordinal));
    }

    [RequiresDocker]
    public async Task A_pods_containers_run_no_image_healthcheck_and_deleting_the_pod_removes_them()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("sleeper", "Always", "sleep 600", terminationGrace: 1), ns);
        var running = await WaitForPodAsync(ns, "sleeper", p => p.Status?.Phase == "Running" && IsReady(p), "the pod to run and be ready");
        Assert.StartsWith("docker://", running.Status.ContainerStatuses.Single().ContainerID, StringComparison.Ordinal);
        var containers = await fixture.ContainersAsync(pod.Metadata.Uid);
        Assert.Equal(2, containers.Count); // the network holder and the container
        Assert.All(containers, c => Assert.Equal("running", c.State));
        foreach (var container in containers)
        {
            // The node image, which also holds the pod's network, declares a HEALTHCHECK for nodes; Kubernetes runs none.
            var inspected = await fixture.Docker.Containers.InspectContainerAsync(container.ID);
            Assert.Equal(["NONE"], inspected.Config.Healthcheck?.Test);
        }

        await Client.CoreV1.DeleteNamespacedPodAsync("sleeper", ns);
        await Eventually.WaitForAsync(() => fixture.ContainersAsync(pod.Metadata.Uid), list => list.Count == 0, "the pod's containers to be removed", s_timeout);
    }

    [RequiresDocker]
    public async Task A_service_name_reaches_the_pod_from_another_pod_and_its_node_port_from_the_node()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "registry",
                        Image = KubeletFixture.HttpImage,
                        ImagePullPolicy = "IfNotPresent",
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 5000 }],
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/v2/", Port = "http" }, PeriodSeconds = 1 },
                    },
                ],
            },
        }, ns);
        var ready = await WaitForPodAsync(ns, "web", IsReady, "the readiness probe to pass");
        Assert.Equal("Running", ready.Status.Phase);

        // The Service comes after the pod: the pod re-joins the network with the new names.
        var nodePort = LoopbackPorts.Free();
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec
            {
                Type = "NodePort",
                Selector = new Dictionary<string, string> { ["app"] = "web" },
                Ports = [new V1ServicePort { Name = "http", Port = 5000, TargetPort = "http", NodePort = nodePort }],
            },
        }, ns);

        var url = $"http://web.{ns}.svc.cluster.local:5000/v2/";
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("client", "Never", $"for i in $(seq 60); do curl -fsS -o /dev/null -w 'status %{{http_code}}\\n' {url} && exit 0; sleep 0.5; done; exit 1"), ns);
        var client = await WaitForPodAsync(ns, "client", p => p.Status?.Phase is "Succeeded" or "Failed", "the client pod to end");
        Assert.Equal("Succeeded", client.Status.Phase);
        Assert.Contains("status 200", await ReadLogAsync(ns, "client"), StringComparison.Ordinal);

        // kube-proxy's part: the node port forwards to the ready pod.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var response = await Eventually.WaitForAsync(async () =>
        {
            try
            {
                return (int)(await http.GetAsync($"http://127.0.0.1:{nodePort}/v2/")).StatusCode;
            }
            catch (HttpRequestException)
            {
                return 0;
            }
        }, code => code == 200, "the node port to answer", s_timeout);
        Assert.Equal(200, response);
    }

    [RequiresDocker]
    public async Task A_terminating_pod_leaves_its_services_names_at_once_while_it_runs_out_its_grace_period()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        var old = ShellPod("old-server", "Never", "trap '' TERM; while true; do sleep 1; done", terminationGrace: 30);
        old.Metadata.Labels = new Dictionary<string, string> { ["app"] = "server" };
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "server" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "server" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        var created = await Client.CoreV1.CreateNamespacedPodAsync(old, ns);
        await WaitForPodAsync(ns, "old-server", p => p.Status?.Phase == "Running", "the old server to run");
        var name = $"server.{ns}.svc.cluster.local";
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("before", "Never", $"getent hosts {name}"), ns);
        Assert.Equal("Succeeded", (await WaitForPodAsync(ns, "before", p => p.Status?.Phase is "Succeeded" or "Failed", "the first lookup")).Status.Phase);

        // It ignores SIGTERM, so it lives out its 30 s; the Service name must be gone long before that.
        await Client.CoreV1.DeleteNamespacedPodAsync("old-server", ns);
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("after", "Never", $"for i in $(seq 40); do getent hosts {name} || exit 0; sleep 0.25; done; exit 1"), ns);
        var after = await WaitForPodAsync(ns, "after", p => p.Status?.Phase is "Succeeded" or "Failed", "the lookup after the delete");

        Assert.Equal("Succeeded", after.Status.Phase);
        Assert.NotEmpty(await fixture.ContainersAsync(created.Metadata.Uid));
        // Still there, terminating, as long as its containers run: its name is not free yet.
        var terminating = await Client.CoreV1.ReadNamespacedPodAsync("old-server", ns);
        Assert.Equal(created.Metadata.Uid, terminating.Metadata.Uid);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        var taken = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(old, ns));
        Assert.Equal(HttpStatusCode.Conflict, taken.Response.StatusCode);
    }

    [RequiresDocker]
    public async Task A_StatefulSet_starts_the_new_pod_only_once_the_old_one_stopped_its_containers()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        V1StatefulSet Generation(string generation) => StatefulSet("term", 10, new V1Container
        {
            Name = "main",
            Image = KubeletFixture.ShellImage,
            ImagePullPolicy = "IfNotPresent",
            // Takes a second to stop on SIGTERM, well within its grace period.
            Command = ["sh", "-c", "trap 'sleep 1; exit 0' TERM; while :; do sleep 0.1; done"],
            Env = [new V1EnvVar { Name = "GENERATION", Value = generation }],
        });
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(Generation("1"), ns);
        var old = await WaitForPodAsync(ns, "term-0", p => p.Status?.Phase == "Running", "the first pod to run");
        var seen = new List<(TimeSpan At, string Type, string? Uid, bool Terminating)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var changes = fixture.Server.Store.Subscribe(fixture.Server.Store.Revision);
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var change in changes.Reader.ReadAllAsync(stop.Token))
            {
                if (change.Kind == Api.ResourceCatalog.Pods && change.Namespace == ns)
                {
                    seen.Add((clock.Elapsed, change.Type, Json.Str(Json.At(change.Object, "metadata.uid")), change.Object["metadata"]?["deletionTimestamp"] is not null));
                }
            }
        });

        await Client.AppsV1.ReplaceNamespacedStatefulSetAsync(Generation("2"), "term", ns);
        await Eventually.WaitForAsync(() => Client.AppsV1.ReadNamespacedStatefulSetAsync("term", ns), s => s.Status?.ReadyReplicas == 1 && s.Status.CurrentRevision == s.Status.UpdateRevision && s.Metadata.Generation == 2, "the rollout to converge", s_timeout);
        await stop.CancelAsync();
        await reading.ContinueWith(_ => { }, TaskScheduler.Default);

        var marked = seen.First(e => e.Uid == old.Metadata.Uid && e.Terminating);
        var gone = seen.Single(e => e.Uid == old.Metadata.Uid && e.Type == "DELETED");
        var added = seen.Single(e => e.Type == "ADDED");
        Assert.NotEqual(old.Metadata.Uid, added.Uid);
        Assert.True(gone.At - marked.At >= TimeSpan.FromSeconds(0.9), $"the old pod was deleted {gone.At - marked.At} after it was marked terminating: before its container stopped");
        Assert.True(added.At >= gone.At, "the new pod was created before the old one was gone");
        Assert.Empty(await fixture.ContainersAsync(old.Metadata.Uid));
    }

    [RequiresDocker]
    public async Task An_image_nowhere_is_ErrImagePull_naming_it_and_a_local_image_is_used_when_the_registry_does_not_answer()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        var missing = $"127.0.0.1:9/{TestNames.Unique("oskub-missing")}:latest";
        var local = $"127.0.0.1:9/{TestNames.Unique("oskub-local")}";
        await fixture.Docker.Images.TagImageAsync(KubeletFixture.ShellImage, new ImageTagParameters { RepositoryName = local, Tag = "latest" });
        try
        {
            var nowhere = ShellPod("nowhere", "Never", "true");
            nowhere.Spec.Containers[0].Image = missing;
            nowhere.Spec.Containers[0].ImagePullPolicy = null; // :latest means Always
            await Client.CoreV1.CreateNamespacedPodAsync(nowhere, ns);
            var waiting = await WaitForPodAsync(ns, "nowhere", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff", "ErrImagePull");
            Assert.Equal("Pending", waiting.Status.Phase);
            Assert.Contains(missing, waiting.Status.ContainerStatuses.Single().State.Waiting.Message, StringComparison.Ordinal);

            var fallback = ShellPod("fallback", "Never", "echo ran-local");
            fallback.Spec.Containers[0].Image = local + ":latest";
            fallback.Spec.Containers[0].ImagePullPolicy = null;
            await Client.CoreV1.CreateNamespacedPodAsync(fallback, ns);
            await WaitForPodAsync(ns, "fallback", p => p.Status?.Phase == "Succeeded", "the pod on the local image to succeed");
            var events = await Client.CoreV1.ListNamespacedEventAsync(ns);
            Assert.Contains(events.Items, e => e.InvolvedObject.Name == "fallback" && e.Type == "Warning" && e.Message.Contains(local, StringComparison.Ordinal) && e.Message.Contains("present on the node", StringComparison.Ordinal));
        }
        finally
        {
            await fixture.Docker.Images.DeleteImageAsync(local + ":latest", new ImageDeleteParameters { Force = false });
        }
    }

    [RequiresDocker]
    public async Task A_new_template_replaces_a_pod_that_never_became_ready_and_the_rollout_converges()
    {
        await fixture.StartAsync();
        var ns = await NamespaceAsync();
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(StatefulSet("roll", 1, new V1Container
        {
            Name = "main",
            Image = KubeletFixture.ShellImage,
            ImagePullPolicy = "IfNotPresent",
            Command = ["sleep", "600"],
            ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["sh", "-c", "exit 1"] }, PeriodSeconds = 1 },
        }), ns);
        var stuck = await WaitForPodAsync(ns, "roll-0", p => p.Status?.Phase == "Running", "the never-ready pod to run");
        Assert.False(IsReady(stuck));

        await Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"main","readinessProbe":{"exec":{"command":["sh","-c","exit 0"]}}}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "roll", ns);
        var rolled = await Eventually.WaitForAsync(() => Client.AppsV1.ReadNamespacedStatefulSetAsync("roll", ns), s => s.Status?.ReadyReplicas == 1 && s.Status.CurrentRevision == s.Status.UpdateRevision, "the rollout to converge", s_timeout);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("roll-0", ns);
        Assert.NotEqual(stuck.Metadata.Uid, pod.Metadata.Uid);
        Assert.Equal(rolled.Status.UpdateRevision, pod.Metadata.Labels["controller-revision-hash"]);
    }

    private async Task<string> NamespaceAsync()
    {
        var name = TestNames.Unique("oskub");
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    private static V1Pod ShellPod(string name, string restartPolicy, string script, long? terminationGrace = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = terminationGrace,
            Containers = [new V1Container { Name = "main", Image = KubeletFixture.ShellImage, ImagePullPolicy = "IfNotPresent", Command = ["sh", "-c", script] }],
        },
    };

    // A one-replica StatefulSet whose pods, labelled app=NAME, run CONTAINER.
    private static V1StatefulSet StatefulSet(string name, long terminationGrace, V1Container container) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1StatefulSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { TerminationGracePeriodSeconds = terminationGrace, Containers = [container] },
            },
        },
    };

    private Task<V1Pod> WaitForPodAsync(string ns, string name, Func<V1Pod, bool> condition, string what) =>
        Eventually.WaitForAsync(() => Client.CoreV1.ReadNamespacedPodAsync(name, ns), condition, $"{ns}/{name}: {what}", s_timeout);

    private async Task<string> ReadLogAsync(string ns, string name)
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(name, ns);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static bool IsReady(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
