using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Configuration;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>The entrypoint's node preparation, one test per branch, with the fake tools of <see cref="NodeFakes"/>.</summary>
public sealed partial class ClusterScriptsTests
{
    private string K3sArgs() => File.ReadAllText(_root.Combine("k3s-args"));

    private string ResolvConf() => File.ReadAllText(_root.Combine("k3s-config", "resolv.conf"));

    private string HelmChart() => File.ReadAllText(Manifests("openshell-helmchart.yaml"));

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Dns_proxy_forwards_eth0_port_53_to_the_docker_dns_ports(string shell)
    {
        var result = await RunEntrypointAsync(shell, new() { ["FAKE_IPTABLES"] = "nft" });

        result.EnsureSuccess("entrypoint");
        Assert.Contains("Setting up DNS proxy: 172.18.0.5:53 -> 127.0.0.11 (udp:45678, tcp:34567)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Configured k3s DNS to use 172.18.0.5 (proxied to Docker DNS)", result.Stdout, StringComparison.Ordinal);
        var calls = _fakes.CallsOf("iptables");
        Assert.Contains("-t nat -I PREROUTING -p udp --dport 53 -d 172.18.0.5 -j DNAT --to-destination 127.0.0.11:45678\n", calls, StringComparison.Ordinal);
        Assert.Contains("-t nat -I PREROUTING -p tcp --dport 53 -d 172.18.0.5 -j DNAT --to-destination 127.0.0.11:34567\n", calls, StringComparison.Ordinal);
        Assert.Equal("nameserver 172.18.0.5\n", ResolvConf());
        Assert.EndsWith($"{ResolvConfArgument}\n", K3sArgs(), StringComparison.Ordinal);
        Assert.DoesNotContain("--disable-network-policy", K3sArgs(), StringComparison.Ordinal);
        Assert.Equal("", _fakes.CallsOf("update-alternatives"));
    }

    [Theory]
    [InlineData("denied", "UDP_PORT=<not found>  TCP_PORT=<not found>")]
    [InlineData("nft-without-docker-dns", "UDP_PORT=<not found>  TCP_PORT=<not found>")]
    public async Task Without_docker_dns_rules_it_falls_back_to_public_resolvers_with_a_warning(string mode, string detail)
    {
        var env = mode == "denied"
            ? new Dictionary<string, string?> { ["FAKE_IPTABLES"] = "denied" }
            : new Dictionary<string, string?> { ["FAKE_IPTABLES"] = "nft", ["FAKE_DOCKER_DNS"] = "0" };

        var result = await RunEntrypointAsync("sh", env);

        result.EnsureSuccess("entrypoint");
        Assert.Contains("Warning: Could not discover Docker DNS ports from iptables", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(detail, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("DNS proxy setup failed, falling back to public DNS servers", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Note: this may not work on Docker Desktop (Mac/Windows)", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", ResolvConf());
        Assert.DoesNotContain("PREROUTING", _fakes.CallsOf("iptables"), StringComparison.Ordinal);
        Assert.EndsWith($"{ResolvConfArgument}\n", K3sArgs(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_eth0_address_it_falls_back_too()
    {
        var result = await RunEntrypointAsync("sh", new() { ["FAKE_IPTABLES"] = "nft", ["FAKE_ETH0"] = "none" });

        result.EnsureSuccess("entrypoint");
        Assert.Contains("Warning: Could not determine container IP from eth0", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", ResolvConf());
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_failed_xt_probe_switches_to_iptables_legacy(string shell)
    {
        var result = await RunEntrypointAsync(shell, new() { ["FAKE_IPTABLES"] = "nft-no-xt" });

        result.EnsureSuccess("entrypoint");
        var probe = _fakes.CallsOf("iptables");
        Assert.StartsWith(
            "-t filter -N _xt_probe\n-t filter -A _xt_probe -m comment --comment probe -j ACCEPT\n" +
            "-t filter -D _xt_probe -m comment --comment probe -j ACCEPT\n-t filter -X _xt_probe\n",
            probe,
            StringComparison.Ordinal);
        Assert.Contains("iptables nf_tables xt extension bridge unavailable — switching to iptables-legacy", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Now using iptables-legacy mode", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("--set iptables /usr/sbin/iptables-legacy\n--set ip6tables /usr/sbin/ip6tables-legacy\n", _fakes.CallsOf("update-alternatives"));
        // The DNS proxy then goes through the legacy backend.
        Assert.Contains("-t nat -I PREROUTING -p udp --dport 53", _fakes.CallsOf("iptables-legacy"), StringComparison.Ordinal);
        Assert.DoesNotContain("PREROUTING", probe, StringComparison.Ordinal);
        Assert.Contains("--disable-network-policy\n", K3sArgs(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_working_xt_probe_keeps_the_default_backend()
    {
        var result = await RunEntrypointAsync("sh", new() { ["FAKE_IPTABLES"] = "nft" });

        result.EnsureSuccess("entrypoint");
        Assert.Contains("-t filter -N _xt_probe\n", _fakes.CallsOf("iptables"), StringComparison.Ordinal);
        Assert.DoesNotContain("iptables-legacy", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", _fakes.CallsOf("iptables-legacy"));
    }

    [Theory]
    [InlineData("ok", "Now using iptables-legacy mode")]
    [InlineData("fail", "Warning: could not switch to iptables-legacy — cluster networking may fail")]
    public async Task Use_iptables_legacy_forces_legacy_without_probing(string alternatives, string message)
    {
        var result = await RunEntrypointAsync("sh", new() { ["FAKE_IPTABLES"] = "nft", ["USE_IPTABLES_LEGACY"] = "1", ["FAKE_ALTERNATIVES"] = alternatives });

        result.EnsureSuccess("entrypoint");
        Assert.DoesNotContain("_xt_probe", _fakes.CallsOf("iptables"), StringComparison.Ordinal);
        Assert.Contains(message, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("-t nat -S DOCKER_OUTPUT", _fakes.CallsOf("iptables-legacy"), StringComparison.Ordinal);
        Assert.Contains("--disable-network-policy\n", K3sArgs(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_missing_br_netfilter_is_a_warning_only(bool loaded)
    {
        if (!loaded)
        {
            File.Delete(Path.Combine(_fakes.Proc, "sys", "net", "bridge", "bridge-nf-call-iptables"));
        }

        var result = await RunEntrypointAsync("sh", []);

        result.EnsureSuccess("entrypoint");
        const string Warning = "Warning: br_netfilter does not appear to be loaded on the host.";
        if (loaded)
        {
            Assert.DoesNotContain(Warning, result.Stderr, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(Warning, result.Stderr, StringComparison.Ordinal);
            Assert.Contains("sudo modprobe br_netfilter", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf", result.Stderr, StringComparison.Ordinal);
            Assert.True(File.Exists(_root.Combine("k3s-args")), "k3s must still start");
        }
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Without_a_default_route_it_waits_then_fails_with_the_routing_tables(string shell)
    {
        var result = await RunEntrypointAsync(shell, new() { ["FAKE_ROUTE"] = "0", ["OPENSHELL_ROUTE_WAIT_ATTEMPTS"] = "4" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error: no default route present before starting k3s", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("IPv4 routes:\n172.18.0.0/16 dev eth0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("IPv6 routes:\nfe80::/64 dev eth0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/proc/net/route:\nIface\tDestination", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/proc/net/ipv6_route:", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, _fakes.CallsOf("ip").Split('\n').Count(l => l == "-4 route show default"));
        Assert.Equal("0\n0\n0\n0\n", _fakes.CallsOf("sleep"));
        Assert.False(File.Exists(_root.Combine("k3s-args")), "k3s must not start");
    }

    [Fact]
    public async Task A_default_route_that_appears_late_is_waited_for()
    {
        // The route shows up on the third look.
        var ip = Path.Combine(_fakes.Bin, "ip");
        File.Move(ip, ip + "-real");
        File.WriteAllText(ip, $$"""
            #!/bin/sh
            if [ "$*" = "-4 route show default" ]; then
              n=$(cat "{{_root.Combine("route-looks")}}" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "{{_root.Combine("route-looks")}}"
              [ "$n" -ge 3 ] && echo "default via 172.18.0.1 dev eth0"
              exit 0
            fi
            exec "{{ip}}-real" "$@"
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(ip, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await RunEntrypointAsync("sh", new() { ["OPENSHELL_ROUTE_WAIT_ATTEMPTS"] = "5" });

        result.EnsureSuccess("entrypoint");
        Assert.Equal("3\n", File.ReadAllText(_root.Combine("route-looks")));
        Assert.True(File.Exists(_root.Combine("k3s-args")));
    }

    [Theory]
    [InlineData("192.168.65.254", "Detected host gateway IP from host.docker.internal: 192.168.65.254", "192.168.65.254")]
    [InlineData(null, "Detected host gateway IP from default route: 172.18.0.1", "172.18.0.1")]
    public async Task The_host_gateway_ip_reaches_the_chart(string? hostDockerInternal, string message, string expected)
    {
        var result = await RunEntrypointAsync("sh", new() { ["FAKE_HOST_GATEWAY"] = hostDockerInternal });

        result.EnsureSuccess("entrypoint");
        Assert.Contains(message, result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"hostGatewayIP: \"{expected}\"", HelmChart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_any_host_gateway_the_chart_value_is_empty()
    {
        // No host.docker.internal and no default route: the route wait fails afterwards, but the warning comes first.
        var result = await RunEntrypointAsync("sh", new() { ["FAKE_ROUTE"] = "0", ["OPENSHELL_ROUTE_WAIT_ATTEMPTS"] = "1" });

        Assert.Contains("Warning: Could not detect host gateway IP from host.docker.internal or default route", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("hostGatewayIP: \"\"", HelmChart(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Cgroup_v1_adds_the_kubelet_compatibility_flag(bool v2, bool flag)
    {
        if (!v2)
        {
            File.Delete(Path.Combine(_fakes.Cgroup, "cgroup.controllers"));
        }

        var result = await RunEntrypointAsync("sh", []);

        result.EnsureSuccess("entrypoint");
        Assert.Equal(flag, K3sArgs().Contains("--kubelet-arg=fail-cgroupv1=false\n", StringComparison.Ordinal));
        Assert.Equal(flag, result.Stdout.Contains("Detected cgroup v1 — adding kubelet compatibility flag (fail-cgroupv1=false)", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task The_node_name_is_passed_to_k3s(string shell)
    {
        var result = await RunEntrypointAsync(shell, new() { ["OPENSHELL_NODE_NAME"] = "openshell-demo" }, "server", "--disable=traefik");

        result.EnsureSuccess("entrypoint");
        Assert.Contains("Using deterministic k3s node name: openshell-demo", result.Stdout, StringComparison.Ordinal);
        Assert.Equal($"server\n--disable=traefik\n--node-name=openshell-demo\n{ResolvConfArgument}\n", K3sArgs());
        Assert.True(Directory.Exists(_fakes.Flannel), "/run/flannel is created before k3s starts");
    }

    [Theory]
    [InlineData("127.0.0.1:5000", "ok", "Registry host is an IP literal (127.0.0.1:5000), skipping DNS probe", false)]
    [InlineData("registry.example.com:443", "ok", null, false)]
    [InlineData("registry.example.com:443", "fail", "DNS_PROBE_FAILED: cannot resolve registry.example.com:443 after DNS proxy setup", true)]
    public async Task The_dns_probe_marks_a_registry_host_that_does_not_resolve(string registryHost, string dns, string? message, bool failed)
    {
        var result = await RunEntrypointAsync("sh", new() { ["REGISTRY_HOST"] = registryHost, ["FAKE_DNS"] = dns, ["OPENSHELL_DNS_PROBE_ATTEMPTS"] = "3" });

        result.EnsureSuccess("entrypoint");
        if (message is not null)
        {
            Assert.Contains(message, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal(failed, result.Stdout.Contains("DNS_PROBE_FAILED", StringComparison.Ordinal));
        var lookups = _fakes.CallsOf("nslookup");
        Assert.Equal(registryHost.StartsWith("127.", StringComparison.Ordinal) ? "" : failed ? "registry.example.com\nregistry.example.com\nregistry.example.com\n" : "registry.example.com\n", lookups);
        if (failed)
        {
            Assert.Contains("Try restarting Docker or pruning networks: docker network prune -f", result.Stdout, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(_root.Combine("k3s-args")), "k3s starts even when the probe fails");
    }
}

/// <summary>The health check's DNS probe, node pressure and gateway NodePort checks.</summary>
public sealed partial class ClusterScriptsTests
{
    private static readonly string[] s_everySecret = ["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls", "openshell-ssh-handshake"];

    [Theory]
    [InlineData("registry.example.com:443", "fail", "HEALTHCHECK_DNS_FAILURE: cannot resolve registry.example.com:443")]
    [InlineData("registry.example.com", "ok", "HEALTHCHECK_OK")]
    [InlineData("127.0.0.1:5000", "fail", "HEALTHCHECK_OK")]
    public async Task Health_check_fails_fast_when_the_registry_host_does_not_resolve(string registryHost, string dns, string marker)
    {
        var result = await RunHealthcheckAsync("sh", true, "1/1", s_everySecret, true, new() { ["REGISTRY_HOST"] = registryHost, ["FAKE_DNS"] = dns });

        Assert.Contains(marker, result.Stdout, StringComparison.Ordinal);
        Assert.Equal(marker == "HEALTHCHECK_OK" ? 0 : 1, result.ExitCode);
        Assert.Equal(registryHost.StartsWith("127.", StringComparison.Ordinal) ? "" : "registry.example.com\n", _fakes.CallsOf("nslookup"));
    }

    [Fact]
    public async Task Health_check_reports_node_pressure()
    {
        var result = await RunHealthcheckAsync("sh", true, "1/1", s_everySecret, true, new() { ["REGISTRY_HOST"] = "127.0.0.1:5000" }, "Ready=True DiskPressure=True MemoryPressure=False PIDPressure=True");

        Assert.Contains("HEALTHCHECK_NODE_PRESSURE: DiskPressure\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK_NODE_PRESSURE: PIDPressure\n", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("MemoryPressure", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, true, "HEALTHCHECK_OK")]
    [InlineData(true, false, "HEALTHCHECK_GATEWAY_PORT_CLOSED 127.0.0.1:")]
    [InlineData(false, false, "HEALTHCHECK_OK")]
    public async Task Health_check_requires_the_gateway_node_port_where_a_gateway_serves(bool expected, bool listening, string marker)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        if (!listening)
        {
            listener.Stop();
        }

        var result = await RunHealthcheckAsync("sh", true, "1/1", s_everySecret, true, new()
        {
            ["REGISTRY_HOST"] = "127.0.0.1:5000",
            ["GATEWAY_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OPENSHELL_HEALTHCHECK_GATEWAY_TCP"] = expected ? "true" : "false",
        });

        Assert.Contains(marker, result.Stdout, StringComparison.Ordinal);
        Assert.Equal(marker == "HEALTHCHECK_OK" ? 0 : 1, result.ExitCode);
    }

    [Fact]
    public void Dockerfile_health_check_has_the_timings_the_settings_rely_on()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "docker", "Dockerfile.cluster"));

        Assert.Contains(
            $"HEALTHCHECK --interval={ClusterHealthCheck.IntervalSeconds}s --timeout={ClusterHealthCheck.TimeoutSeconds}s " +
            $"--start-period={ClusterHealthCheck.StartPeriodSeconds}s --retries={ClusterHealthCheck.Retries} ",
            dockerfile,
            StringComparison.Ordinal);
        Assert.Equal((5, 5, 20, 60), (ClusterHealthCheck.IntervalSeconds, ClusterHealthCheck.TimeoutSeconds, ClusterHealthCheck.StartPeriodSeconds, ClusterHealthCheck.Retries));
        Assert.True(new ClusterSettings().HealthTimeoutSeconds > 20 + (60 * 5));
    }
}

/// <summary>The GPU manifests the image carries, installed by the entrypoint only when GPUs are enabled.</summary>
public sealed partial class ClusterScriptsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_device_plugin_with_feature_discovery_is_installed_next_to_the_runtime_class_only_with_gpus(bool gpu)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "deploy", "kube", "gpu-manifests"), "*.yaml"))
        {
            File.Copy(file, Image("gpu-manifests", Path.GetFileName(file)), overwrite: true);
        }

        (await RunEntrypointAsync("sh", new() { ["GPU_ENABLED"] = gpu ? "true" : "false" })).EnsureSuccess("entrypoint");

        var plugin = Manifests("openshell-nvidia-device-plugin.yaml");
        Assert.Equal(gpu, File.Exists(plugin));
        Assert.Equal(gpu, File.Exists(Manifests("openshell-gpu-runtimeclass.yaml")));
        if (gpu)
        {
            var text = File.ReadAllText(plugin);
            Assert.Contains("kind: HelmChart", text, StringComparison.Ordinal);
            Assert.Contains("chart: nvidia-device-plugin", text, StringComparison.Ordinal);
            Assert.Contains("runtimeClassName: nvidia", text, StringComparison.Ordinal);
            Assert.Contains("gfd:\n      enabled: true", text, StringComparison.Ordinal);
            Assert.Contains("handler: nvidia", File.ReadAllText(Manifests("openshell-gpu-runtimeclass.yaml")), StringComparison.Ordinal);
        }
    }
}
