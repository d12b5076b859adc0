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

        var result = await Deployer(fixture).DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings) { VerifyWithSandbox = true });

        Assert.Equal(["supervisor"], result.Deployed);
        Assert.Equal(("supervisor", ShaOf("supervisor")), Assert.Single(_verifier.Calls));
        var steps = result.Steps.Select(s => s.Step).ToList();
        Assert.True(steps.IndexOf(DeployStep.SandboxVerification) > steps.IndexOf(DeployStep.Supervisor), string.Join(", ", steps));
        Assert.Equal(DeployStepOutcome.Succeeded, Assert.Single(result.Steps, s => s.Step == DeployStep.SandboxVerification).Outcome);
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

    private sealed class FakeVerifier : ISandboxVerifier
    {
        public List<(string Component, string Sha256)> Calls { get; } = [];

        public string? Failure { get; set; }

        public Task<string> VerifyAsync(DeployTarget target, string component, string expectedSha256, CancellationToken ct)
        {
            Calls.Add((component, expectedSha256));
            return Failure is { } message
                ? Task.FromException<string>(new DeployException(DeployStep.SandboxVerification, message) { Component = component })
                : Task.FromResult("verify-1");
        }
    }
}
