using OpenShell.Core;
using OpenShell.Server.Tests.Hosting;
using OpenShell.Testing;

namespace OpenShell.Sandbox.Tests;

/// <summary>The published supervisor as a real process against a real gateway with mutual TLS.</summary>
[Collection(SupervisorBinaryCollection.Name)]
public sealed class SupervisorAgainstGatewayTests(SupervisorBinaryFixture supervisor) : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private TestGateway _gateway = null!;
    private readonly TempDirectory _work = new("supervisor");

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task Registers_with_the_sha256_of_its_own_executable()
    {
        using var process = SupervisorProcess.Start(supervisor.Path, Environment("reg-box"), "sh", "-c", "echo workload-ran");

        Assert.Equal(0, await process.WaitAsync(s_timeout));
        Assert.Contains("workload-ran", process.Stdout, StringComparison.Ordinal);
        var record = _gateway.Registry.Find("reg-box");
        Assert.NotNull(record);
        Assert.Equal(supervisor.Sha256, record.BinarySha256);
        Assert.Equal("0.1.0", record.Version);
        Assert.Equal(0, record.ExitCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(117)]
    public async Task Exit_code_of_the_workload_is_propagated_and_reported(int code)
    {
        using var process = SupervisorProcess.Start(supervisor.Path, Environment($"exit-{code}"), "sh", "-c", $"exit {code}");

        Assert.Equal(code, await process.WaitAsync(s_timeout));
        Assert.Equal(code, _gateway.Registry.Find($"exit-{code}")?.ExitCode);
    }

    [Fact]
    public async Task Sigterm_is_forwarded_to_the_workload()
    {
        var ready = _work.Combine("ready");
        using var process = SupervisorProcess.Start(
            supervisor.Path,
            Environment("term-box"),
            "sh", "-c", $"trap 'echo got-sigterm; exit 42' TERM; touch '{ready}'; while :; do sleep 0.1; done");

        await WaitUntilAsync(() => File.Exists(ready), "the workload to start");
        (await TestProcess.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])).EnsureSuccess("kill -TERM");

        Assert.Equal(42, await process.WaitAsync(s_timeout));
        Assert.Contains("got-sigterm", process.Stdout, StringComparison.Ordinal);
        Assert.Contains("forwarding signal 15", process.Stderr, StringComparison.Ordinal);
        Assert.Equal(42, _gateway.Registry.Find("term-box")?.ExitCode);
    }

    [Fact]
    public async Task Heartbeats_while_the_workload_runs()
    {
        using var process = SupervisorProcess.Start(supervisor.Path, Environment("beat-box"), "sleep", "2.5");

        Assert.Equal(0, await process.WaitAsync(s_timeout));
        var record = _gateway.Registry.Find("beat-box");
        Assert.NotNull(record);
        Assert.True(record.LastHeartbeatAt - record.RegisteredAt >= TimeSpan.FromSeconds(1), $"registered {record.RegisteredAt:O}, last heartbeat {record.LastHeartbeatAt:O}");
    }

    [Fact]
    public async Task Registration_timeout_exits_non_zero_with_a_message()
    {
        var environment = new Dictionary<string, string>(Environment("late-box"))
        {
            [SupervisorEnvironment.GatewayEndpoint] = $"https://127.0.0.1:{TestGateway.FreePort()}",
            [SupervisorEnvironment.RegistrationTimeout] = "2",
        };
        using var process = SupervisorProcess.Start(supervisor.Path, environment, "sh", "-c", "echo must-not-run");

        Assert.Equal(69, await process.WaitAsync(s_timeout));
        Assert.Contains("could not register with the gateway within 2s", process.Stderr, StringComparison.Ordinal);
        Assert.Contains("Connection refused", process.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("must-not-run", process.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_never_registers()
    {
        var environment = new Dictionary<string, string>(Environment("foreign-box"))
        {
            [SupervisorEnvironment.ClientCertificate] = _gateway.ForeignClient.CertificatePath,
            [SupervisorEnvironment.ClientKey] = _gateway.ForeignClient.KeyPath,
            [SupervisorEnvironment.RegistrationTimeout] = "2",
        };
        using var process = SupervisorProcess.Start(supervisor.Path, environment, "true");

        Assert.Equal(69, await process.WaitAsync(s_timeout));
        Assert.Null(_gateway.Registry.Find("foreign-box"));
    }

    [Fact]
    public async Task Missing_environment_is_a_usage_error()
    {
        using var process = SupervisorProcess.Start(supervisor.Path, new Dictionary<string, string>(), "true");

        Assert.Equal(2, await process.WaitAsync(s_timeout));
        Assert.Contains("OPENSHELL_GATEWAY_ENDPOINT is not set", process.Stderr, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(string sandboxId) => new()
    {
        [SupervisorEnvironment.GatewayEndpoint] = _gateway.Endpoint.ToString(),
        [SupervisorEnvironment.SandboxId] = sandboxId,
        [SupervisorEnvironment.ClientCertificate] = _gateway.Client.CertificatePath,
        [SupervisorEnvironment.ClientKey] = _gateway.Client.KeyPath,
        [SupervisorEnvironment.CertificateAuthority] = _gateway.ServerCa.CertificatePath,
        [SupervisorEnvironment.RegistrationTimeout] = "30",
    };

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}
