using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Images;

/// <summary>Runs deploy/docker/cluster-entrypoint.sh and cluster-healthcheck.sh in a temp root, with bash and with sh.</summary>
public sealed partial class ClusterScriptsTests : IDisposable
{
    private static readonly string s_entrypoint = Path.Combine(RepositoryPaths.Root, "deploy", "docker", "cluster-entrypoint.sh");
    private static readonly string s_healthcheck = Path.Combine(RepositoryPaths.Root, "deploy", "docker", "cluster-healthcheck.sh");
    private readonly TempDirectory _root = new("cluster-scripts");
    private readonly NodeFakes _fakes;

    public ClusterScriptsTests()
    {
        _fakes = new NodeFakes(_root);
        // The image's /opt/openshell as the build lays it out.
        Directory.CreateDirectory(Image("charts"));
        Directory.CreateDirectory(Image("manifests"));
        Directory.CreateDirectory(Image("gpu-manifests"));
        Directory.CreateDirectory(Image("bin"));
        File.WriteAllText(Image("charts", "openshell-0.1.0.tgz"), "chart-bytes");
        File.WriteAllText(Image("charts", "openshell-0.1.0.tgz.sha256"), "abc123  openshell-0.1.0.tgz\n");
        File.Copy(Path.Combine(RepositoryPaths.Root, "deploy", "kube", "manifests", "openshell-helmchart.yaml"), Image("manifests", "openshell-helmchart.yaml"));
        File.WriteAllText(Image("gpu-manifests", "openshell-gpu-runtimeclass.yaml"), "kind: RuntimeClass\n");
        File.WriteAllText(_root.Combine("fake-k3s"),
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"${OPENSHELL_TEST_K3S_VERSION:-k3s version v1.35.2+k3s1}\"; exit 0; fi\n" +
            "printf '%s\\n' \"$@\" > \"$OPENSHELL_TEST_ARGS\"\n");
        File.SetUnixFileMode(_root.Combine("fake-k3s"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static TheoryData<string> Shells => new() { "bash", "sh" };

    private string Image(params string[] parts) => _root.Combine(["opt", .. parts]);

    private string Manifests(params string[] parts) => _root.Combine(["manifests", .. parts]);

    private async Task<ProcessOutcome> RunEntrypointAsync(string shell, Dictionary<string, string?> env, params string[] args)
    {
        env["OPENSHELL_K3S_CONFIG_DIR"] = _root.Combine("k3s-config");
        env["OPENSHELL_K3S_MANIFESTS_DIR"] = Manifests();
        env["OPENSHELL_K3S_CHARTS_DIR"] = _root.Combine("static-charts");
        env["OPENSHELL_IMAGE_DIR"] = Image();
        env["OPENSHELL_K3S_BIN"] = _root.Combine("fake-k3s");
        env["OPENSHELL_TEST_ARGS"] = _root.Combine("k3s-args");
        _fakes.Apply(env);
        return await TestProcess.RunAsync(shell, [s_entrypoint, .. args], _root.Path, env, TimeSpan.FromSeconds(30));
    }

    private string ResolvConfArgument => $"--kubelet-arg=resolv-conf={_root.Combine("k3s-config", "resolv.conf")}";

    private string Registries() => File.ReadAllText(_root.Combine("k3s-config", "registries.yaml"));

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Local_insecure_registry_is_mirrored_over_http(string shell)
    {
        var result = await RunEntrypointAsync(shell, new()
        {
            ["REGISTRY_HOST"] = "127.0.0.1:5000",
            ["REGISTRY_ENDPOINT"] = "openshell-local-registry:5000",
            ["REGISTRY_INSECURE"] = "true",
        }, "server", "--disable=traefik");

        result.EnsureSuccess("entrypoint");
        Assert.Equal(
            "mirrors:\n  \"127.0.0.1:5000\":\n    endpoint:\n      - \"http://openshell-local-registry:5000\"\n" +
            "configs:\n  \"openshell-local-registry:5000\":\n    tls:\n      insecure_skip_verify: true\n",
            Registries());
        Assert.Equal($"server\n--disable=traefik\n{ResolvConfArgument}\n", File.ReadAllText(_root.Combine("k3s-args")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_root.Combine("k3s-config", "registries.yaml")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Remote_registry_is_https_with_credentials_quoted(string shell)
    {
        var result = await RunEntrypointAsync(shell, new()
        {
            ["REGISTRY_HOST"] = "registry.example.com",
            ["REGISTRY_ENDPOINT"] = "registry.example.com",
            ["REGISTRY_INSECURE"] = "false",
            ["REGISTRY_USERNAME"] = "bot\"name",
            ["REGISTRY_PASSWORD"] = "p\"a\\ss'w$rd",
        });

        result.EnsureSuccess("entrypoint");
        Assert.Equal(
            "mirrors:\n  \"registry.example.com\":\n    endpoint:\n      - \"https://registry.example.com\"\n" +
            "configs:\n  \"registry.example.com\":\n    auth:\n      username: \"bot\\\"name\"\n      password: \"p\\\"a\\\\ss'w$rd\"\n",
            Registries());
        Assert.DoesNotContain("p\"a", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.Equal($"server\n{ResolvConfArgument}\n", File.ReadAllText(_root.Combine("k3s-args")));
    }

    // (OPENSHELL_KUBELET, engine socket mounted, k3s is the simulator) → the simulator gets --kubelet=docker.
    public static TheoryData<string, bool, bool, bool> KubeletCases => new()
    {
        { "docker", true, true, true },
        { "docker", false, true, false },
        { "docker", true, false, false },
        { "", true, true, false },
    };

    [Theory]
    [MemberData(nameof(KubeletCases))]
    public async Task Pods_run_on_the_engine_only_when_asked_with_the_socket_mounted_and_the_simulator_as_k3s(string kubelet, bool socket, bool simulator, bool passed)
    {
        var socketPath = _root.Combine("docker.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        if (socket)
        {
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        }

        var result = await RunEntrypointAsync("sh", new()
        {
            ["OPENSHELL_KUBELET"] = kubelet,
            ["OPENSHELL_ENGINE_SOCKET"] = socketPath,
            ["OPENSHELL_TEST_K3S_VERSION"] = simulator ? "k3s version v1.35.0+k3s-sim (Kubernetes API simulator)" : null,
        }, "server");

        result.EnsureSuccess("entrypoint");
        var args = File.ReadAllLines(_root.Combine("k3s-args"));
        Assert.Equal(passed, args.Contains("--kubelet=docker"));
        if (kubelet == "docker" && !passed)
        {
            Assert.Contains("warning: OPENSHELL_KUBELET=docker", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_line_break_in_a_credential_is_refused()
    {
        var result = await RunEntrypointAsync("sh", new()
        {
            ["REGISTRY_HOST"] = "registry.example.com",
            ["REGISTRY_USERNAME"] = "bot",
            ["REGISTRY_PASSWORD"] = "line1\nline2",
        });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("REGISTRY_PASSWORD contains a line break", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_root.Combine("k3s-args")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Charts_and_manifests_are_installed_with_placeholders_filled(string shell)
    {
        var result = await RunEntrypointAsync(shell, new()
        {
            ["IMAGE_REPO_BASE"] = "127.0.0.1:5000/openshell",
            ["IMAGE_TAG"] = "feature",
            ["GATEWAY_NODE_PORT"] = "30123",
        });

        result.EnsureSuccess("entrypoint");
        Assert.Equal("chart-bytes", File.ReadAllText(_root.Combine("static-charts", "openshell-0.1.0.tgz")));
        var helmChart = File.ReadAllText(Manifests("openshell-helmchart.yaml"));
        Assert.Contains("chartChecksum: \"abc123\"", helmChart, StringComparison.Ordinal);
        Assert.Contains("repository: 127.0.0.1:5000/openshell/gateway", helmChart, StringComparison.Ordinal);
        Assert.Contains("tag: \"feature\"", helmChart, StringComparison.Ordinal);
        Assert.Contains("nodePort: 30123", helmChart, StringComparison.Ordinal);
        Assert.DoesNotContain("__", helmChart, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Manifests(), ".*"));
    }

    [Theory]
    [InlineData("18892", "172.17.0.1", "http://172.17.0.1:18892")]
    [InlineData("18892", null, "http://172.18.0.1:18892")]
    [InlineData(null, "172.17.0.1", "")]
    [InlineData("0", "172.17.0.1", "")]
    [InlineData("18x", "172.17.0.1", "")]
    public async Task The_telemetry_endpoint_is_the_relay_on_the_docker_host(string? port, string? hostGateway, string expected)
    {
        var env = new Dictionary<string, string?>();
        if (port is not null)
        {
            env["OPENSHELL_OTLP_RELAY_PORT"] = port;
        }

        if (hostGateway is not null)
        {
            env["FAKE_HOST_GATEWAY"] = hostGateway;
        }

        (await RunEntrypointAsync("sh", env)).EnsureSuccess("entrypoint");

        Assert.Contains($"otlpEndpoint: \"{expected}\"", File.ReadAllText(Manifests("openshell-helmchart.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checksum_falls_back_to_hashing_the_chart()
    {
        File.Delete(Image("charts", "openshell-0.1.0.tgz.sha256"));

        (await RunEntrypointAsync("sh", [])).EnsureSuccess("entrypoint");

        // sha256("chart-bytes")
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("chart-bytes"u8));
        Assert.Contains($"chartChecksum: \"{expected}\"", File.ReadAllText(Manifests("openshell-helmchart.yaml")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Stale_openshell_manifests_are_removed_and_others_kept(string shell)
    {
        Directory.CreateDirectory(Manifests());
        File.WriteAllText(Manifests("openshell-old-feature.yaml"), "stale");
        File.WriteAllText(Manifests("openshell-gpu-runtimeclass.yaml"), "left from a GPU run");
        File.WriteAllText(Manifests("coredns.yaml"), "k3s's own");

        (await RunEntrypointAsync(shell, new() { ["GPU_ENABLED"] = "false" })).EnsureSuccess("entrypoint");

        Assert.False(File.Exists(Manifests("openshell-old-feature.yaml")));
        Assert.False(File.Exists(Manifests("openshell-gpu-runtimeclass.yaml")));
        Assert.True(File.Exists(Manifests("coredns.yaml")));
        Assert.True(File.Exists(Manifests("openshell-helmchart.yaml")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Gpu_manifests_are_added_when_enabled(string shell)
    {
        var result = await RunEntrypointAsync(shell, new() { ["GPU_ENABLED"] = "true" });

        result.EnsureSuccess("entrypoint");
        Assert.Equal("kind: RuntimeClass\n", File.ReadAllText(Manifests("openshell-gpu-runtimeclass.yaml")));
        Assert.Contains("GPU support enabled", result.Stderr, StringComparison.Ordinal);
    }

    // The health check with a fake kubectl that answers from files in the temp root.
    private async Task<ProcessOutcome> RunHealthcheckAsync(string shell, bool apiReady, string readyReplicas, string[] secrets, bool supervisor, Dictionary<string, string?>? extra = null, string nodeConditions = "Ready=True")
    {
        var state = _root.Combine("kube-state");
        Directory.CreateDirectory(state);
        foreach (var secret in secrets)
        {
            File.WriteAllText(Path.Combine(state, secret), "");
        }

        var kubectl = _root.Combine("fake-kubectl");
        File.WriteAllText(kubectl, $$"""
            #!/bin/sh
            case "$*" in
              *--raw=/readyz*) [ "{{(apiReady ? "1" : "0")}}" = 1 ] ;;
              *statefulset*) printf '%s' '{{readyReplicas}}' ;;
              "get nodes -o "*) printf '%s\n' {{nodeConditions}} ;;
              *secret*) for last; do :; done; [ -f "{{state}}/$last" ] ;;
              *) exit 2 ;;
            esac
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var binary = _root.Combine("openshell-sandbox");
        File.WriteAllText(binary, "#!/bin/sh\n");
        File.SetUnixFileMode(binary, supervisor ? UnixFileMode.UserRead | UnixFileMode.UserExecute : UnixFileMode.UserRead);

        var env = extra ?? [];
        env["OPENSHELL_KUBECTL"] = kubectl;
        env["OPENSHELL_SUPERVISOR_PATH"] = binary;
        _fakes.Apply(env);
        return await TestProcess.RunAsync(shell, [s_healthcheck], _root.Path, env, TimeSpan.FromSeconds(30));
    }

    private static readonly string[] s_allSecrets = ["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls", "openshell-ssh-handshake"];

    public static TheoryData<string, bool, string, string[], bool, string[]> HealthCases => new()
    {
        { "bash", true, "1/1", s_allSecrets, true, ["HEALTHCHECK_OK"] },
        { "sh", true, "1/1", s_allSecrets, true, ["HEALTHCHECK_OK"] },
        { "sh", false, "1/1", s_allSecrets, true, ["HEALTHCHECK_API_NOT_READY"] },
        { "sh", true, "1/1", s_allSecrets, false, ["HEALTHCHECK_MISSING_SUPERVISOR"] },
        { "sh", true, "/1", s_allSecrets, true, ["HEALTHCHECK_GATEWAY_NOT_READY"] },
        { "sh", true, "0/1", s_allSecrets, true, ["HEALTHCHECK_GATEWAY_NOT_READY"] },
        { "sh", true, "", s_allSecrets, true, ["HEALTHCHECK_GATEWAY_NOT_READY"] },
        { "sh", true, "1/1", ["openshell-server-tls", "openshell-client-tls", "openshell-ssh-handshake"], true, ["HEALTHCHECK_MISSING_TLS_SECRET openshell-server-client-ca"] },
        { "bash", true, "1/1", ["openshell-server-tls", "openshell-server-client-ca", "openshell-client-tls"], true, ["HEALTHCHECK_MISSING_SSH_HANDSHAKE_SECRET"] },
        { "sh", true, "0/1", [], false, ["HEALTHCHECK_MISSING_SUPERVISOR", "HEALTHCHECK_GATEWAY_NOT_READY", "HEALTHCHECK_MISSING_TLS_SECRET openshell-server-tls", "HEALTHCHECK_MISSING_SSH_HANDSHAKE_SECRET"] },
    };

    [Theory]
    [MemberData(nameof(HealthCases))]
    public async Task Health_check_marks_each_failing_condition(string shell, bool apiReady, string ready, string[] secrets, bool supervisor, string[] markers)
    {
        var result = await RunHealthcheckAsync(shell, apiReady, ready, secrets, supervisor);

        foreach (var marker in markers)
        {
            Assert.Contains(marker, result.Stdout, StringComparison.Ordinal);
        }

        var healthy = markers is ["HEALTHCHECK_OK"];
        Assert.Equal(healthy ? 0 : 1, result.ExitCode);
        if (!healthy)
        {
            Assert.DoesNotContain("HEALTHCHECK_OK", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0/1")]
    [InlineData("")]
    public async Task Health_check_can_leave_the_gateway_readiness_to_the_gateway(string ready)
    {
        var result = await RunHealthcheckAsync("sh", true, ready, s_allSecrets, true, new() { ["OPENSHELL_HEALTHCHECK_GATEWAY_READY"] = "false" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("HEALTHCHECK_OK", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("HEALTHCHECK_GATEWAY_NOT_READY", result.Stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, string?, string, string> SecurityModes => new()
    {
        // shell, DISABLE_TLS, DISABLE_GATEWAY_AUTH, the chart's disableTls and disableGatewayAuth
        { "sh", null, null, "false", "false" },
        { "bash", "true", null, "true", "false" },
        { "sh", null, "true", "false", "true" },
        // Only exactly "true" turns a mode on, as upstream's node reads it.
        { "sh", "1", "yes", "false", "false" },
    };

    [Theory]
    [MemberData(nameof(SecurityModes))]
    public async Task The_gateway_security_mode_fills_the_charts_values(string shell, string? disableTls, string? disableAuth, string chartTls, string chartAuth)
    {
        var env = new Dictionary<string, string?>();
        if (disableTls is not null)
        {
            env["DISABLE_TLS"] = disableTls;
        }

        if (disableAuth is not null)
        {
            env["DISABLE_GATEWAY_AUTH"] = disableAuth;
        }

        (await RunEntrypointAsync(shell, env)).EnsureSuccess("entrypoint");

        var helmChart = File.ReadAllText(Manifests("openshell-helmchart.yaml"));
        Assert.Contains($"disableTls: {chartTls}\n", helmChart, StringComparison.Ordinal);
        Assert.Contains($"disableGatewayAuth: {chartAuth}\n", helmChart, StringComparison.Ordinal);
        Assert.DoesNotContain("__", helmChart, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", 0, "HEALTHCHECK_OK")]
    [InlineData("false", 1, "HEALTHCHECK_MISSING_TLS_SECRET openshell-server-tls")]
    public async Task A_plaintext_node_needs_no_tls_secrets(string disableTls, int exitCode, string marker)
    {
        var result = await RunHealthcheckAsync("sh", true, "1/1", ["openshell-ssh-handshake"], true, new() { ["DISABLE_TLS"] = disableTls });

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(marker, result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Dispose();
}
