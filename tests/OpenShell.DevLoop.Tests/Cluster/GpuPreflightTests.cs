using System.Text.Json;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class GpuPreflightTests
{
    private static EngineGpuSupport Engine(string[] runtimes, string[]? cdi, string version = "27.3.1") =>
        new("unix:///var/run/docker.sock", version, runtimes, cdi);

    public static TheoryData<string[], string[]?, string, string[]> Refusals => new()
    {
        // Docker 20.10 as on this project's machines: neither a runtime nor CDI.
        { ["io.containerd.runc.v2", "runc"], null, GpuModes.Legacy, ["its runtimes are io.containerd.runc.v2, runc (no 'nvidia')", "it has no CDI support", "Install the NVIDIA driver and the NVIDIA Container Toolkit", "sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker", "unset CLUSTER_GPU"] },
        { ["runc"], null, GpuModes.Cdi, ["it has no CDI support", "CDI needs Docker 25 or later", "nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml"] },
        { ["runc"], [], GpuModes.Cdi, ["CDI is turned off (CDISpecDirs is empty", "nvidia-ctk cdi generate"] },
        { ["runc"], ["/etc/cdi", "/var/run/cdi"], GpuModes.Legacy, ["CDI is on (specs in /etc/cdi, /var/run/cdi)", "Set OpenShell:Cluster:GpuMode=cdi"] },
        { ["nvidia", "runc"], null, GpuModes.Cdi, ["the 'nvidia' runtime is registered", "Set OpenShell:Cluster:GpuMode=legacy"] },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void An_engine_that_cannot_serve_the_mode_is_refused_with_what_is_missing_and_how_to_fix_it(string[] runtimes, string[]? cdi, string mode, string[] expected)
    {
        var message = GpuPreflight.Check(Engine(runtimes, cdi), mode);

        Assert.NotNull(message);
        Assert.StartsWith($"GPUs were asked for (CLUSTER_GPU=1 / OpenShell:Cluster:Gpu, mode '{mode}') but the Docker engine at unix:///var/run/docker.sock (version 27.3.1) cannot serve them", message, StringComparison.Ordinal);
        foreach (var part in expected)
        {
            Assert.Contains(part, message, StringComparison.Ordinal);
        }

        Assert.EndsWith("Nothing was created.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "nvidia", "runc" }, null, GpuModes.Legacy)]
    [InlineData(new[] { "runc" }, new[] { "/etc/cdi" }, GpuModes.Cdi)]
    public void An_engine_that_can_serve_the_mode_passes(string[] runtimes, string[]? cdi, string mode) =>
        Assert.Null(GpuPreflight.Check(Engine(runtimes, cdi), mode));

    [Fact]
    public void Engine_info_is_read_from_the_info_document()
    {
        using var modern = JsonDocument.Parse("""{"ServerVersion":"27.3.1","Runtimes":{"runc":{"path":"runc"},"nvidia":{"path":"nvidia-container-runtime"}},"CDISpecDirs":["/etc/cdi","/var/run/cdi"]}""");
        using var old = JsonDocument.Parse("""{"ServerVersion":"20.10.24+dfsg1","Runtimes":{"runc":{"path":"runc"},"io.containerd.runc.v2":{"path":"runc"}}}""");

        var a = EngineInfo.Parse("e", modern.RootElement);
        var b = EngineInfo.Parse("e", old.RootElement);

        Assert.Equal(("27.3.1", true, true), (a.ServerVersion, a.HasNvidiaRuntime, a.HasCdi));
        Assert.Equal(["nvidia", "runc"], a.Runtimes);
        Assert.Equal(("20.10.24+dfsg1", false, false), (b.ServerVersion, b.HasNvidiaRuntime, b.HasCdi));
        Assert.Null(b.CdiSpecDirs);
    }
}
