using System.Text;
using k8s;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests;

/// <summary>The real kubectl v1.35 against the simulator: discovery, typed (protobuf) creates, apply, rollouts.</summary>
public sealed class KubectlTests
{
    private const string StatefulSetYaml = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
          namespace: default
        spec:
          replicas: 2
          serviceName: web
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: web
                image: IMAGE
        """;

    [Fact]
    public async Task Kubectl_gets_creates_applies_restarts_and_waits_for_rollouts()
    {
        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions { RolloutDelay = TimeSpan.FromMilliseconds(100) });
        using var client = sim.CreateClient();
        using var home = new TempDirectory("kubectl-home");
        var kubectl = await KubectlRunner.CreateAsync(sim, home);

        var namespaces = await kubectl.RunAsync("get", "ns", "-o", "name");
        Assert.Contains("namespace/kube-system", namespaces, StringComparison.Ordinal);
        Assert.Contains("namespace/default", namespaces, StringComparison.Ordinal);

        Assert.Contains("secret/db created", await kubectl.RunAsync("create", "secret", "generic", "db", "--from-literal=password=s3cret"), StringComparison.Ordinal);
        var secret = await client.CoreV1.ReadNamespacedSecretAsync("db", "default");
        Assert.Equal("s3cret", Encoding.UTF8.GetString(secret.Data["password"]));

        var manifest = home.Combine("web.yaml");
        await File.WriteAllTextAsync(manifest, StatefulSetYaml.Replace("IMAGE", "web:1", StringComparison.Ordinal));
        Assert.Contains("statefulset.apps/web created", await kubectl.RunAsync("apply", "-f", manifest), StringComparison.Ordinal);
        Assert.Contains("roll out complete", await kubectl.RunAsync("rollout", "status", "statefulset/web", "--timeout=60s"), StringComparison.Ordinal);

        var before = await client.AppsV1.ReadNamespacedStatefulSetAsync("web", "default");
        Assert.Contains("statefulset.apps/web restarted", await kubectl.RunAsync("rollout", "restart", "statefulset/web"), StringComparison.Ordinal);
        Assert.Contains("roll out complete", await kubectl.RunAsync("rollout", "status", "statefulset/web", "--timeout=60s"), StringComparison.Ordinal);
        var restarted = await client.AppsV1.ReadNamespacedStatefulSetAsync("web", "default");
        Assert.True(restarted.Spec.Template.Metadata.Annotations.ContainsKey("kubectl.kubernetes.io/restartedAt"));
        Assert.NotEqual(before.Status.UpdateRevision, restarted.Status.CurrentRevision);
        Assert.Equal(restarted.Metadata.Generation, restarted.Status.ObservedGeneration);

        await File.WriteAllTextAsync(manifest, StatefulSetYaml.Replace("IMAGE", "web:2", StringComparison.Ordinal));
        Assert.Contains("statefulset.apps/web configured", await kubectl.RunAsync("apply", "-f", manifest), StringComparison.Ordinal);
        Assert.Contains("roll out complete", await kubectl.RunAsync("rollout", "status", "statefulset/web", "--timeout=60s"), StringComparison.Ordinal);
        var pods = await kubectl.RunAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}/{.status.phase} {end}");
        Assert.Equal("web-0=web:2/Running web-1=web:2/Running", pods.Trim());
    }

    [Fact]
    public async Task Kubectl_rollout_status_times_out_when_the_rollout_never_converges()
    {
        await using var sim = await KubeSimServer.StartAsync(new KubeSimOptions { RolloutDelay = TimeSpan.FromMilliseconds(50) });
        using var home = new TempDirectory("kubectl-home");
        var kubectl = await KubectlRunner.CreateAsync(sim, home);
        var manifest = home.Combine("web.yaml");
        await File.WriteAllTextAsync(manifest, StatefulSetYaml.Replace("IMAGE", "web:1", StringComparison.Ordinal));
        await kubectl.RunAsync("apply", "-f", manifest);
        await kubectl.RunAsync("rollout", "status", "statefulset/web", "--timeout=60s");

        sim.Faults.NeverConverge(true);
        await kubectl.RunAsync("rollout", "restart", "statefulset/web");
        var stuck = await kubectl.RunRawAsync("rollout", "status", "statefulset/web", "--timeout=2s");
        Assert.NotEqual(0, stuck.ExitCode);
        Assert.Contains("timed out waiting for the condition", stuck.Stderr, StringComparison.Ordinal);
    }

    private sealed class KubectlRunner(string kubectl, KubeSimServer sim, TempDirectory home)
    {
        public static async Task<KubectlRunner> CreateAsync(KubeSimServer sim, TempDirectory home) =>
            new(await KubeTools.KubectlAsync(), sim, home);

        public async Task<string> RunAsync(params string[] args) =>
            (await RunRawAsync(args)).EnsureSuccess("kubectl " + string.Join(' ', args)).Stdout;

        public Task<ProcessOutcome> RunRawAsync(params string[] args) =>
            TestProcess.RunAsync(
                kubectl,
                ["--kubeconfig", sim.KubeconfigPath, "--cache-dir", home.Combine("cache"), .. args],
                home.Path,
                new Dictionary<string, string?> { ["HOME"] = home.Path, ["KUBECONFIG"] = null },
                TimeSpan.FromSeconds(120));
    }
}
