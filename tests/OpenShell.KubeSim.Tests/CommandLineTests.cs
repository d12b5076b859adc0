using OpenShell.KubeSim.Hosting;
using OpenShell.KubeSim.Kubelet;

namespace OpenShell.KubeSim.Tests;

/// <summary>The standalone flags and k3s's <c>server</c> flags.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Standalone_flags_are_parsed()
    {
        var options = SimulatorCommandLine.Parse(["--port", "7443", "--kubeconfig", "/tmp/k.yaml", "--bind", "0.0.0.0", "--manifests", "/tmp", "--tls-san", "a.example", "--tls-san=10.1.2.3"]);
        Assert.Equal(7443, options.Port);
        Assert.Equal("/tmp/k.yaml", options.KubeconfigPath);
        Assert.Equal("0.0.0.0", options.BindAddress);
        Assert.Equal("/tmp", options.ManifestsDirectory);
        Assert.Equal(["a.example", "10.1.2.3"], options.TlsSubjectAlternativeNames);
    }

    [Fact]
    public void K3s_server_mode_honours_its_flags_ignores_the_rest_and_uses_k3s_defaults()
    {
        var options = SimulatorCommandLine.Parse(["server", "--disable=traefik", "--https-listen-port", "6444", "--tls-san=host.docker.internal", "--snapshotter", "native", "--write-kubeconfig-mode=644", "--node-name=x"]);
        Assert.Equal(6444, options.Port);
        Assert.Equal("0.0.0.0", options.BindAddress);
        Assert.Equal(SimulatorCommandLine.K3sKubeconfig, options.KubeconfigPath);
        Assert.Equal(SimulatorCommandLine.K3sManifests, options.ManifestsDirectory);
        Assert.Contains("host.docker.internal", options.TlsSubjectAlternativeNames);
    }

    [Fact]
    public void The_kubelet_is_off_unless_asked_for_and_its_flags_work_in_both_forms()
    {
        Assert.Equal(KubeletMode.None, SimulatorCommandLine.Parse(["server", "--kubelet-arg=resolv-conf=/x"]).Kubelet.Mode);
        var k3s = SimulatorCommandLine.Parse(["server", "--kubelet-arg=resolv-conf=/x", "--kubelet=docker", "--kubelet-network", "dev-net"]);
        Assert.Equal((KubeletMode.Docker, "dev-net"), (k3s.Kubelet.Mode, k3s.Kubelet.Network));
        Assert.Equal(KubeletMode.Docker, SimulatorCommandLine.Parse(["--kubelet", "docker"]).Kubelet.Mode);
        // The label the dev host removes a node's pod containers by is the one the kubelet puts on them.
        Assert.Equal(OpenShell.DevLoop.Cluster.ClusterContainerSpec.PodNodeLabel, KubeletLabels.Node);
    }

    public static TheoryData<string[], string> BadArguments { get; } = new()
    {
        { ["--kubelet", "containerd"], "--kubelet \"containerd\" is not a kubelet" },
        { ["--port", "http"], "--port \"http\" is not a port number" },
        { ["--port"], "--port needs a value" },
        { ["--frobnicate"], "unknown argument \"--frobnicate\"" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_name_the_problem(string[] args, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => SimulatorCommandLine.Parse(args));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
