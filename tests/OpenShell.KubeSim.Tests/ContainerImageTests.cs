using System.Formats.Tar;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using k8s;
using k8s.Models;
using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests;

/// <summary>The k3s-sim image (eng/offline-images.d/20-k3s-sim.sh) stands in for rancher/k3s.</summary>
public sealed class ContainerImageTests
{
    private const string KubeconfigInContainer = "/etc/rancher/k3s/k3s.yaml";

    private static string Image =>
        $"{(Environment.GetEnvironmentVariable("OPENSHELL_OFFLINE_PREFIX") is { Length: > 0 } prefix ? prefix : "openshell-offline")}/k3s-sim:latest";

    [RequiresDocker]
    public async Task Image_starts_answers_readyz_and_its_kubeconfig_works_through_the_mapped_port()
    {
        using var docker = DockerEngine.CreateClient();
        await EnsureImageAsync(docker);
        var name = TestNames.Unique("kubesim-image-test");
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            Name = name,
            Cmd = ["server", "--disable=traefik", "--tls-san=kubesim.test", "--write-kubeconfig-mode=644"],
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["6443/tcp"] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>> { ["6443/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
            },
        });
        try
        {
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var inspected = await docker.Containers.InspectContainerAsync(created.ID);
            var port = inspected.NetworkSettings.Ports["6443/tcp"][0].HostPort;

            // k3s writes its kubeconfig once the API serves; read it out of the container like a user would.
            var kubeconfig = await Eventually.WaitForAsync(() => TryReadFileAsync(docker, created.ID, KubeconfigInContainer), text => text is not null, "the container's kubeconfig", TimeSpan.FromSeconds(90));
            Assert.Contains("server: https://127.0.0.1:6443", kubeconfig, StringComparison.Ordinal);
            using var folder = new TempDirectory("kubesim-image");
            var hostKubeconfig = folder.Combine("k3s.yaml");
            await File.WriteAllTextAsync(hostKubeconfig, kubeconfig!.Replace("https://127.0.0.1:6443", $"https://127.0.0.1:{port}", StringComparison.Ordinal));

            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(hostKubeconfig);
            using (var http = new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsTo(certificate, configuration),
            }))
            {
                Assert.Equal("ok", await http.GetStringAsync($"https://127.0.0.1:{port}/readyz"));
            }

            using var client = new Kubernetes(configuration);
            var namespaces = await client.CoreV1.ListNamespaceAsync();
            Assert.Contains(namespaces.Items, n => n.Metadata.Name == "kube-system");
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "from-host" }, StringData = new Dictionary<string, string> { ["a"] = "b" } }, "default");

            // The real kubectl inside the image talks to the simulator through the k3s kubeconfig.
            var inside = (await TestProcess.RunAsync("docker", ["exec", name, "kubectl", "get", "secrets", "-o", "name"], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess("kubectl in the container");
            Assert.Contains("secret/from-host", inside.Stdout, StringComparison.Ordinal);
            (await TestProcess.RunAsync("docker", ["exec", name, "crictl", "rmi", "--prune"], timeout: TimeSpan.FromSeconds(60))).EnsureSuccess("crictl stub");
            Assert.Contains("crictl rmi --prune", await TryReadFileAsync(docker, created.ID, "/var/log/crictl-calls.log") ?? "", StringComparison.Ordinal);

            // SIGTERM stops it cleanly.
            await docker.Containers.StopContainerAsync(created.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 20 });
            var stopped = await docker.Containers.InspectContainerAsync(created.ID);
            Assert.Equal(0, stopped.State.ExitCode);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private static bool ChainsTo(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, KubernetesClientConfiguration configuration)
    {
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(configuration.SslCaCerts);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>Builds the image with eng/offline-images.sh only when it is missing (CI builds it before the tests).</summary>
    private static async Task EnsureImageAsync(DockerClient docker)
    {
        try
        {
            await docker.Images.InspectImageAsync(Image);
            return;
        }
        catch (DockerImageNotFoundException)
        {
        }

        (await TestProcess.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "eng", "offline-images.sh")], RepositoryPaths.Root, timeout: TimeSpan.FromMinutes(20)))
            .EnsureSuccess("eng/offline-images.sh");
        await docker.Images.InspectImageAsync(Image);
    }

    private static async Task<string?> TryReadFileAsync(DockerClient docker, string id, string path)
    {
        try
        {
            var archive = await docker.Containers.GetArchiveFromContainerAsync(id, new GetArchiveFromContainerParameters { Path = path }, statOnly: false);
            using var buffer = new MemoryStream();
            using (archive.Stream)
            {
                await archive.Stream.CopyToAsync(buffer);
            }

            if (buffer.Length == 0)
            {
                return null;
            }

            buffer.Position = 0;
            using var tar = new TarReader(buffer);
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                if (entry.DataStream is not null)
                {
                    using var reader = new StreamReader(entry.DataStream);
                    return await reader.ReadToEndAsync();
                }
            }

            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
