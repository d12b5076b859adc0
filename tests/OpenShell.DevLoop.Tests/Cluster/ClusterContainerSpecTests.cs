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

    [Theory]
    [InlineData(null, "18892")]
    [InlineData("4400", "4400")]
    [InlineData("0", null)]
    public void The_node_is_told_the_telemetry_relay_port_unless_it_is_off(string? configured, string? expected)
    {
        var spec = ClusterContainerSpecFactory.Create(
            configured is null ? Settings() : Settings(("OpenShell:Cluster:OtlpRelayPort", configured)), "demo", 24000);

        Assert.Equal(expected, spec.Environment.GetValueOrDefault("OPENSHELL_OTLP_RELAY_PORT"));
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

    [Fact]
    public void A_gateway_port_of_zero_lets_the_engine_pick_one_as_it_does_for_the_api()
    {
        var spec = ClusterContainerSpecFactory.Create(Settings(), "demo", 0);

        var parameters = ClusterContainerParameters.From(spec);

        var binding = parameters.HostConfig.PortBindings["30051/tcp"].Single();
        Assert.Equal(("127.0.0.1", ""), (binding.HostIP, binding.HostPort));
    }

    [Theory]
    [InlineData(false, null, null)]
    [InlineData(true, "legacy", "nvidia")]
    [InlineData(true, "cdi", "cdi")]
    public void Gpu_adds_the_device_request_of_its_mode(bool gpu, string? mode, string? driver)
    {
        var values = new List<(string, string)> { ("OpenShell:Cluster:Gpu", gpu.ToString()) };
        if (mode is not null)
        {
            values.Add(("OpenShell:Cluster:GpuMode", mode));
        }

        var parameters = ClusterContainerParameters.From(ClusterContainerSpecFactory.Create(Settings([.. values]), "demo", 24000));

        if (driver is null)
        {
            Assert.Null(parameters.HostConfig.DeviceRequests);
            return;
        }

        var request = Assert.Single(parameters.HostConfig.DeviceRequests);
        Assert.Equal(driver, request.Driver);
        if (driver == "cdi")
        {
            Assert.Equal(["nvidia.com/gpu=all"], request.DeviceIDs);
            Assert.Null(request.Capabilities);
        }
        else
        {
            Assert.Equal(-1, request.Count);
            Assert.Equal(["gpu", "utility", "compute"], Assert.Single(request.Capabilities));
        }
    }

    [Fact]
    public void The_node_gets_the_host_gateway_a_stable_node_name_and_the_tcp_check()
    {
        var spec = ClusterContainerSpecFactory.Create(Settings(), "demo", 24000);
        var parameters = ClusterContainerParameters.From(spec);

        Assert.Equal(["host.docker.internal:host-gateway", "host.openshell.internal:host-gateway"], parameters.HostConfig.ExtraHosts);
        Assert.Contains("--tls-san=host.docker.internal", spec.Arguments);
        Assert.Equal("openshell-demo", spec.Environment["OPENSHELL_NODE_NAME"]);
        Assert.Equal("true", spec.Environment["OPENSHELL_HEALTHCHECK_GATEWAY_TCP"]);

        var custom = ClusterContainerSpecFactory.Create(Settings(("OpenShell:Cluster:NodeName", "node-a"), ("OpenShell:Cluster:GatewayTcpCheck", "false")), "demo", 24000);
        Assert.Equal("node-a", custom.Environment["OPENSHELL_NODE_NAME"]);
        Assert.Equal("false", custom.Environment["OPENSHELL_HEALTHCHECK_GATEWAY_TCP"]);
    }

    [Fact]
    public void Running_pods_mounts_the_engine_socket_and_asks_for_the_kubelet_only_when_on()
    {
        var off = ClusterContainerParameters.From(ClusterContainerSpecFactory.Create(Settings(), "demo", 24000));
        Assert.DoesNotContain(off.HostConfig.Mounts, m => m.Target == ClusterContainerSpec.EngineSocketPath);
        Assert.DoesNotContain(off.Env, e => e.StartsWith("OPENSHELL_KUBELET=", StringComparison.Ordinal));

        var spec = ClusterContainerSpecFactory.Create(Settings(("OpenShell:Cluster:RunPods", "true")), "demo", 24000, "/run/user/1000/docker.sock");
        var on = ClusterContainerParameters.From(spec);
        var socket = Assert.Single(on.HostConfig.Mounts, m => m.Target == ClusterContainerSpec.EngineSocketPath);
        Assert.Equal(("bind", "/run/user/1000/docker.sock"), (socket.Type, socket.Source));
        Assert.Contains("OPENSHELL_KUBELET=docker", on.Env);
        Assert.Contains("OPENSHELL_HEALTHCHECK_GATEWAY_READY=false", on.Env);
        // Pods reach the API by the node container's name, so the serving certificate must name it.
        Assert.Contains("--tls-san=openshell-cluster-demo", spec.Arguments);
    }

    [Theory]
    [InlineData("Prod_US", "openshell-prod-us")]
    [InlineData("._Prod..__-Gateway-.", "openshell-prod-gateway")]
    [InlineData("...___---", "openshell-gateway")]
    [InlineData("wt-node", "openshell-wt-node")]
    public void Node_names_are_normalised_as_openshell_does(string cluster, string expected) =>
        Assert.Equal(expected, ClusterName.NodeName(cluster));

    [Fact]
    public void Node_names_fit_the_kubernetes_limit()
    {
        var name = ClusterName.NodeName(new string('a', 300) + "-b");

        Assert.Equal(253, name.Length);
        Assert.StartsWith("openshell-aaa", name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OpenShell:Cluster:GpuMode", "mig", "GpuMode is 'mig'")]
    [InlineData("OpenShell:Cluster:HealthTimeoutSeconds", "300", "must exceed the 320 s")]
    [InlineData("OpenShell:Images:ClusterBase", " ", "OpenShell:Images:ClusterBase is empty")]
    public void Bad_settings_are_refused_with_the_fix(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Settings((key, value)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string?, string?, string, GatewaySecurity> SecurityModes => new()
    {
        // OpenShell:Cluster:Plaintext, DisableGatewayAuth, the node's variables for them, the mode read back from the node
        { null, null, "", GatewaySecurity.Mtls },
        { "true", null, "DISABLE_TLS=true", GatewaySecurity.Plaintext },
        { null, "true", "DISABLE_GATEWAY_AUTH=true", GatewaySecurity.TlsWithoutClientAuth },
        { "false", "false", "", GatewaySecurity.Mtls },
    };

    [Theory]
    [MemberData(nameof(SecurityModes))]
    public void The_gateway_security_mode_is_handed_to_the_node_and_read_back_from_it(string? plaintext, string? disableAuth, string variables, GatewaySecurity recorded)
    {
        var values = new List<(string, string)>();
        if (plaintext is not null)
        {
            values.Add(("OpenShell:Cluster:Plaintext", plaintext));
        }

        if (disableAuth is not null)
        {
            values.Add(("OpenShell:Cluster:DisableGatewayAuth", disableAuth));
        }

        var parameters = ClusterContainerParameters.From(ClusterContainerSpecFactory.Create(Settings([.. values]), "demo", 24000));

        Assert.Equal(variables, string.Join(";", parameters.Env.Where(e => e.StartsWith("DISABLE_", StringComparison.Ordinal))));
        Assert.Equal(recorded, GatewaySecurityModes.FromEnvironment(parameters.Env));
    }

    [Fact]
    public void Both_insecure_modes_together_are_refused_with_upstreams_words()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Settings(("OpenShell:Cluster:Plaintext", "true"), ("OpenShell:Cluster:DisableGatewayAuth", "true")));

        Assert.Equal("--disable-gateway-auth is ignored when --plaintext is set; choose one mode", error.Message);
    }

    [Theory]
    [InlineData(null, "127.0.0.1")]
    [InlineData("10.0.0.5", "10.0.0.5")]
    public void The_api_and_the_gateway_are_published_on_the_publish_address(string? address, string expected)
    {
        var parameters = ClusterContainerParameters.From(ClusterContainerSpecFactory.Create(Settings(), "demo", 24000, publishAddress: address));

        Assert.All(parameters.HostConfig.PortBindings.Values.SelectMany(b => b), b => Assert.Equal(expected, b.HostIP));
        Assert.Equal(2, parameters.HostConfig.PortBindings.Count);
    }
}
