using System.Globalization;
using k8s;
using OpenShell.Core;
using OpenShell.Core.V1;
using OpenShell.DevLoop.Cli.Tests.Sandboxes;
using OpenShell.DevLoop.Pki;
using OpenShell.DevLoop.Sandboxes;
using OpenShell.Testing;
using Xunit.Abstractions;

namespace OpenShell.Sandbox.Tests;

/// <summary>
/// <see cref="SandboxClient.CreateAndWaitAsync"/> with every part real but the kubelet: the engine client, the gateway
/// with the cluster's PKI, the pod in the Kubernetes API simulator, and the published supervisor running the pod's
/// command in the offline base image, started by the test from the pod's spec as a kubelet would.
/// </summary>
[Collection(SupervisorBinaryCollection.Name)]
public sealed class SandboxCreateEndToEndTests(SupervisorBinaryFixture supervisor, ITestOutputHelper output)
{
    [RequiresDocker]
    public async Task Create_and_wait_returns_the_sha256_of_the_supervisor_that_ran_in_the_sandbox_image()
    {
        using var docker = DevLoop.Docker.DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        await using var gateway = await LocalGateway.StartAsync(sandboxesCallBackOnLoopback: true);
        using var tls = new TempDirectory("ossbx-tls");
        File.Copy(Path.Combine(gateway.Paths.PkiDirectory, ClusterSecrets.ClientCertificateFile), tls.Combine("tls.crt"));
        File.Copy(Path.Combine(gateway.Paths.PkiDirectory, ClusterSecrets.ClientKeyFile), tls.Combine("tls.key"));
        File.Copy(Path.Combine(gateway.Paths.PkiDirectory, ClusterSecrets.CaFile), tls.Combine("ca.crt"));
        var container = $"ossbx-e2e-{Guid.NewGuid():N}"[..22];

        try
        {
            var waiting = gateway.Client.CreateAndWaitAsync(new SandboxCreateRequest("e2e-box", "base", ["sh", "-c", "echo hello; sleep 30"]));
            var pod = await PodAsync(gateway, "e2e-box");
            var spec = pod.Spec.Containers[0];
            List<string> run =
            [
                "run", "-d", "--name", container, "--network", "host", "--pull", "never",
                "-v", $"{Path.GetDirectoryName(supervisor.Path)}:{SupervisorEnvironment.SupervisorDirectory}:ro",
                "-v", $"{tls.Path}:{SupervisorEnvironment.TlsDirectory}:ro",
                "--entrypoint", spec.Command[0],
            ];
            foreach (var variable in spec.Env)
            {
                run.AddRange(["-e", $"{variable.Name}={variable.Value}"]);
            }

            run.Add(spec.Image);
            run.AddRange(spec.Args);
            (await TestProcess.RunAsync("docker", run)).EnsureSuccess("docker run of the sandbox container");

            var ready = await waiting;
            output.WriteLine($"create to registration: {ready.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");

            Assert.Equal(supervisor.Sha256, ready.SupervisorSha256);
            Assert.Equal("0.1.0", ready.SupervisorVersion);
            Assert.Equal(SandboxPhase.Ready, ready.Sandbox.Phase);
            Assert.Equal(OfflineImages.SandboxBase, ready.Sandbox.Image);
            var logs = await TestProcess.RunAsync("docker", ["logs", container]);
            Assert.Contains("hello", logs.Stdout, StringComparison.Ordinal);
            Assert.Contains("registered sandbox 'e2e-box'", logs.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await TestProcess.RunAsync("docker", ["rm", "-f", container]);
        }
    }

    private static async Task<k8s.Models.V1Pod> PodAsync(LocalGateway gateway, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var pods = await gateway.Kubernetes.CoreV1.ListNamespacedPodAsync(LocalGateway.Namespace, fieldSelector: $"metadata.name={name}");
            if (pods.Items.FirstOrDefault() is { } pod)
            {
                return pod;
            }

            Assert.True(DateTime.UtcNow < deadline, $"pod {name} was never created");
            await Task.Delay(20);
        }
    }
}
