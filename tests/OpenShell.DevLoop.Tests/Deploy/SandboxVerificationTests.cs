using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Tests.Planning;
using static OpenShell.DevLoop.Tests.Deploy.FakeComponentDeployers;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>
/// A supervisor deploy proven by a throwaway sandbox: asked for, it runs after the swap as its own step; a sandbox that
/// does not register with the new binary fails the deploy and the supervisor is not recorded as deployed.
/// </summary>
public sealed class SandboxVerificationTests : IDisposable
{
    private const string SupervisorFile = "src/OpenShell.Sandbox/Program.cs";

    private readonly FakeComponentDeployers _fakes = new();
    private readonly FakeVerifier _verifier = new();
    private PlannerFixture? _fixture;

    public void Dispose() => _fixture?.Dispose();

    private async Task<PlannerFixture> PrimedAsync()
    {
        _fixture = await PlannerFixture.CreateAsync();
        // A first deploy records every component; the edit after it makes only the supervisor stale.
        await Deployer(_fixture).DeployAsync(new DeployRequest(_fixture.Repository.Root, [], _fixture.Settings));
        _fixture.Repository.Write(SupervisorFile, $"// edit {Guid.NewGuid():N}\n");
        return _fixture;
    }

    private FastDeployer Deployer(PlannerFixture fixture) =>
        new(_fakes.Set with { Sandbox = _verifier }, NullLogger.Instance, fixture.Planner);

    [Fact]
    public async Task A_verified_supervisor_deploy_has_its_own_step_after_the_swap()
    {
        var fixture = await PrimedAsync();
        _verifier.Calls.Clear();

        var events = new List<DeployEvent>();
        var result = await Deployer(fixture).DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings) { VerifyWithSandbox = true }, new Recorder(events));

        Assert.Equal(["supervisor"], result.Deployed);
        Assert.Equal(("supervisor", ShaOf("supervisor")), Assert.Single(_verifier.Calls));

        // What the node runs is told as soon as it is there, before the sandbox proves it.
        var swapped = events.FindIndex(e => e.Sha256 == ShaOf("supervisor") && e.Component == "supervisor");
        Assert.InRange(swapped, 0, events.FindIndex(e => e is { Step: DeployStep.SandboxVerification, Kind: DeployEventKind.Started }) - 1);
        var steps = result.Steps.Select(s => s.Step).ToList();
        Assert.True(steps.IndexOf(DeployStep.SandboxVerification) > steps.IndexOf(DeployStep.Supervisor), string.Join(", ", steps));
        Assert.Equal(DeployStepOutcome.Succeeded, Assert.Single(result.Steps, s => s.Step == DeployStep.SandboxVerification).Outcome);

        // The version the sandbox's supervisor reported rides along, so nothing runs the binary again to ask.
        Assert.Equal((ShaOf("supervisor"), "0.4.2"), (result.Of("supervisor")!.Sha256, result.Of("supervisor")!.Version));
    }

    [Fact]
    public async Task A_sandbox_that_does_not_register_fails_the_supervisor_and_leaves_it_unrecorded()
    {
        var fixture = await PrimedAsync();
        var before = (await fixture.Store.ReadAsync()).State!.Fingerprints["supervisor"];
        _verifier.Failure = "sandbox verify-1 did not register with the new supervisor: pod Failed (exit 127)";

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            Deployer(fixture).DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings) { VerifyWithSandbox = true }));

        Assert.Equal(DeployStep.SandboxVerification, error.Step);
        Assert.Equal("supervisor", error.Component);
        Assert.Contains("exit 127", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await fixture.Store.ReadAsync()).State!.Fingerprints["supervisor"]);

        // The next deploy still sees the supervisor as stale.
        _verifier.Failure = null;
        var retried = await Deployer(fixture).DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings) { VerifyWithSandbox = true });
        Assert.Equal(["supervisor"], retried.Deployed);
    }

    [Fact]
    public async Task Without_the_setting_no_sandbox_is_started()
    {
        var fixture = await PrimedAsync();
        _verifier.Calls.Clear();

        var result = await Deployer(fixture).DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings));

        Assert.Equal(["supervisor"], result.Deployed);
        Assert.Empty(_verifier.Calls);
        Assert.DoesNotContain(result.Steps, s => s.Step == DeployStep.SandboxVerification);
    }

    [Fact]
    public async Task A_rolled_out_gateway_is_probed_before_any_sandbox_and_an_unanswering_one_is_not_recorded()
    {
        _fixture = await PlannerFixture.CreateAsync();
        _verifier.GatewayFailure = "the new gateway pod does not serve: the gateway at https://127.0.0.1:30051 does not answer";

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            Deployer(_fixture).DeployAsync(new DeployRequest(_fixture.Repository.Root, [], _fixture.Settings) { VerifyWithSandbox = true }));

        Assert.Equal(DeployStep.GatewayProbe, error.Step);
        Assert.Equal("gateway", error.Component);
        Assert.Equal(["gateway"], _verifier.Probes);
        Assert.Empty(_verifier.Calls);
        var recorded = (await _fixture.Store.ReadAsync()).State?.Fingerprints ?? new Dictionary<string, string>();
        Assert.False(recorded.ContainsKey("gateway"), "an unproven gateway was recorded as deployed");
        Assert.False(recorded.ContainsKey("supervisor"), "a supervisor no sandbox could prove was recorded as deployed");

        _verifier.GatewayFailure = null;
        var result = await Deployer(_fixture).DeployAsync(new DeployRequest(_fixture.Repository.Root, [], _fixture.Settings) { VerifyWithSandbox = true });
        var steps = result.Steps.Select(s => s.Step).ToList();
        Assert.Contains("gateway", result.Deployed);
        Assert.True(steps.IndexOf(DeployStep.GatewayProbe) > steps.IndexOf(DeployStep.GatewayRollout), string.Join(", ", steps));
        Assert.True(steps.IndexOf(DeployStep.GatewayProbe) < steps.IndexOf(DeployStep.SandboxVerification), string.Join(", ", steps));
    }

    [Fact]
    public async Task A_supervisor_only_deploy_probes_no_gateway()
    {
        var fixture = await PrimedAsync();
        _verifier.Probes.Clear();

        var result = await Deployer(fixture).DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings) { VerifyWithSandbox = true });

        Assert.Empty(_verifier.Probes);
        Assert.DoesNotContain(result.Steps, s => s.Step == DeployStep.GatewayProbe);
    }

    private sealed class Recorder(List<DeployEvent> events) : IProgress<DeployEvent>
    {
        public void Report(DeployEvent value)
        {
            lock (events)
            {
                events.Add(value);
            }
        }
    }

    private sealed class FakeVerifier : ISandboxVerifier
    {
        public List<(string Component, string Sha256)> Calls { get; } = [];

        public List<string> Probes { get; } = [];

        public string? Failure { get; set; }

        public string? GatewayFailure { get; set; }

        public Task<string> ProbeGatewayAsync(DeployTarget target, string component, CancellationToken ct)
        {
            Probes.Add(component);
            return GatewayFailure is { } message
                ? Task.FromException<string>(new DeployException(DeployStep.GatewayProbe, message) { Component = component })
                : Task.FromResult($"the {component} answers");
        }

        public Task<(string Sandbox, string SupervisorVersion)> VerifyAsync(DeployTarget target, string component, string expectedSha256, CancellationToken ct)
        {
            Calls.Add((component, expectedSha256));
            return Failure is { } message
                ? Task.FromException<(string, string)>(new DeployException(DeployStep.SandboxVerification, message) { Component = component })
                : Task.FromResult(("verify-1", "0.4.2"));
        }
    }
}
