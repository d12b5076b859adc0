using System.Globalization;
using OpenShell.Core;
using OpenShell.DevLoop.Docker;
using OpenShell.Server.Tests.Hosting;
using OpenShell.Testing;

namespace OpenShell.Sandbox.Tests;

/// <summary>
/// The offline stand-in for the community base image (eng/offline-images.d/40-sandbox-base.sh) runs the published
/// supervisor as a sandbox pod would: mounted read-only from outside, registering with a real gateway over mutual TLS.
/// </summary>
[Collection(SupervisorBinaryCollection.Name)]
public sealed class SupervisorInSandboxImageTests(SupervisorBinaryFixture supervisor) : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [RequiresDocker]
    public async Task The_offline_base_image_is_tagged_and_runs_the_supervisor_against_the_gateway()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);
        var image = await docker.Images.InspectImageAsync(OfflineImages.SandboxBase);
        Assert.Equal("base", image.Config.Labels["dev.openshell.offline-sandbox"]);

        var tls = Path.GetDirectoryName(_gateway.Client.CertificatePath)!;
        var name = $"ossbx-image-{Guid.NewGuid():N}"[..24];
        var outcome = await TestProcess.RunAsync(
            "docker",
            [
                "run", "--rm", "--name", name, "--network", "host", "--pull", "never",
                "-v", $"{Path.GetDirectoryName(supervisor.Path)}:{SupervisorEnvironment.SupervisorDirectory}:ro",
                "-v", $"{tls}:{SupervisorEnvironment.TlsDirectory}:ro",
                "-e", $"{SupervisorEnvironment.GatewayEndpoint}={_gateway.Endpoint}",
                "-e", $"{SupervisorEnvironment.SandboxId}=image-box",
                "-e", $"{SupervisorEnvironment.ClientCertificate}={SupervisorEnvironment.TlsDirectory}/{Path.GetFileName(_gateway.Client.CertificatePath)}",
                "-e", $"{SupervisorEnvironment.ClientKey}={SupervisorEnvironment.TlsDirectory}/{Path.GetFileName(_gateway.Client.KeyPath)}",
                "-e", $"{SupervisorEnvironment.CertificateAuthority}={SupervisorEnvironment.TlsDirectory}/{Path.GetFileName(_gateway.ServerCa.CertificatePath)}",
                "-e", $"{SupervisorEnvironment.RegistrationTimeout}=30",
                OfflineImages.SandboxBase,
                SupervisorEnvironment.SupervisorPath, "--", "sh", "-c", "echo hello from $(id -un); exit 7",
            ],
            timeout: TimeSpan.FromMinutes(2));

        Assert.True(outcome.ExitCode == 7, $"exit code {outcome.ExitCode.ToString(CultureInfo.InvariantCulture)}; stderr: {outcome.Stderr}");
        Assert.Contains("hello from root", outcome.Stdout, StringComparison.Ordinal);
        var record = _gateway.Registry.Find("image-box");
        Assert.NotNull(record);
        Assert.Equal(supervisor.Sha256, record.BinarySha256);
        Assert.Equal(7, record.ExitCode);
    }
}
