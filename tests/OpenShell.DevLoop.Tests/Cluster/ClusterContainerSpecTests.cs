using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Tests.Cluster;

public sealed class ClusterContainerSpecTests
{
    private static OpenShellSettings Settings(params (string Key, string Value)[] values) =>
        OpenShellSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build(),
            new Dictionary<string, string?>());

    [Fact]
    public void Local_registry_is_reached_by_container_name_over_http()
    {
        var spec = ClusterContainerSpecFactory.Create(Settings(), "demo", 24000);

        Assert.Equal("openshell-cluster-demo", spec.ContainerName);
        Assert.Equal(spec.ContainerName, spec.VolumeName);
        Assert.Equal("openshell/cluster:dev", spec.Image);
        Assert.Equal("127.0.0.1:5000", spec.Environment["REGISTRY_HOST"]);
        Assert.Equal("openshell-local-registry:5000", spec.Environment["REGISTRY_ENDPOINT"]);
        Assert.Equal("true", spec.Environment["REGISTRY_INSECURE"]);
        Assert.Equal("false", spec.Environment["GPU_ENABLED"]);
        Assert.False(spec.Environment.ContainsKey("REGISTRY_USERNAME"));
        Assert.Equal("server", spec.Arguments[0]);
    }

    [Fact]
    public void Remote_registry_is_https_with_credentials_and_gpu()
    {
        var spec = ClusterContainerSpecFactory.Create(
            Settings(
                ("OpenShell:Cluster:ImageRepoBase", "registry.example.com/team"),
                ("OpenShell:Cluster:RegistryUsername", "bot"),
                ("OpenShell:Cluster:RegistryPassword", "p\"w"),
                ("OpenShell:Cluster:Gpu", "true")),
            "demo",
            24000);

        Assert.Equal("registry.example.com", spec.Environment["REGISTRY_HOST"]);
        Assert.Equal("registry.example.com", spec.Environment["REGISTRY_ENDPOINT"]);
        Assert.Equal("false", spec.Environment["REGISTRY_INSECURE"]);
        Assert.Equal("bot", spec.Environment["REGISTRY_USERNAME"]);
        Assert.Equal("p\"w", spec.Environment["REGISTRY_PASSWORD"]);
        Assert.Equal("true", spec.Environment["GPU_ENABLED"]);
    }

    [Theory]
    [InlineData(true, "host")]
    [InlineData(false, null)]
    public void Engine_parameters_follow_the_spec(bool privileged, string? cgroupns)
    {
        var spec = ClusterContainerSpecFactory.Create(Settings(("OpenShell:Cluster:Privileged", privileged.ToString())), "demo", 24001);

        var parameters = ClusterContainerParameters.From(spec);

        Assert.Equal(privileged, parameters.HostConfig.Privileged);
        Assert.Equal(cgroupns, parameters.HostConfig.CgroupnsMode);
        Assert.All(parameters.HostConfig.PortBindings.Values.SelectMany(b => b), b => Assert.Equal("127.0.0.1", b.HostIP));
        Assert.Equal("", parameters.HostConfig.PortBindings["6443/tcp"].Single().HostPort);
        Assert.Equal("24001", parameters.HostConfig.PortBindings["30051/tcp"].Single().HostPort);
        var mount = parameters.HostConfig.Mounts.Single();
        Assert.Equal(("volume", "openshell-cluster-demo", "/var/lib/rancher/k3s"), (mount.Type, mount.Source, mount.Target));
        Assert.Equal("openshell-dev", parameters.HostConfig.NetworkMode);
        Assert.Contains("REGISTRY_HOST=127.0.0.1:5000", parameters.Env);
    }
}
