using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.History;
using OpenShell.DevLoop.Planning;
using OpenShell.DevLoop.Tests.Planning;
using OpenShell.Testing;
using static OpenShell.DevLoop.Tests.Deploy.FakeComponentDeployers;

namespace OpenShell.DevLoop.Tests.Deploy;

/// <summary>
/// The fast deploy driven by a catalogue with a second binary (<c>probe</c>) and a second image (<c>canary</c>, pinned by
/// the same chart under its own key): a real git repository and planner, the kind deployers faked.
/// </summary>
public sealed class CatalogueDeployTests : IDisposable
{
    private const string ProbeFile = "src/OpenShell.Probe/Program.cs";
    private const string CanaryFile = "src/OpenShell.Canary/Program.cs";

    private static readonly string s_catalogue = """
        {
          "inputGroups": { "shared": [ "src/OpenShell.Core/**", "deploy/dev/components.json" ] },
          "components": [
            { "name": "gateway", "kind": "image", "gateway": true, "include": [ "src/OpenShell.Server/**" ], "includeGroups": [ "shared" ] },
            { "name": "canary", "kind": "image", "project": "src/OpenShell.Canary/OpenShell.Canary.csproj", "repository": "canary",
              "valuesKey": "canary.image", "workload": "openshell/canary", "include": [ "src/OpenShell.Canary/**" ] },
            { "name": "supervisor", "kind": "binary", "aliases": [ "sandbox" ], "include": [ "src/OpenShell.Sandbox/**" ], "includeGroups": [ "shared" ] },
            { "name": "probe", "kind": "binary", "project": "src/OpenShell.Probe/OpenShell.Probe.csproj",
              "nodePath": "/opt/openshell/bin/openshell-probe", "include": [ "src/OpenShell.Probe/**" ] },
            { "name": "chart", "kind": "helm", "stateKey": "helm", "label": "helm upgrade", "include": [ "deploy/helm/openshell/**" ] }
          ]
        }
        """;

    private readonly FakeComponentDeployers _fakes = new();
    private PlannerFixture? _fixture;

    public void Dispose() => _fixture?.Dispose();

    private async Task<PlannerFixture> FixtureAsync()
    {
        _fixture = await PlannerFixture.CreateAsync();
        _fixture.Repository.Write("deploy/dev/components.json", s_catalogue);
        _fixture.Repository.Write(ProbeFile, "// probe\n");
        _fixture.Repository.Write(CanaryFile, "// canary\n");
        await _fixture.Repository.CommitAllAsync("a second binary and a second image");
        return _fixture;
    }

    private FastDeployer Deployer(PlannerFixture fixture) => new(_fakes.Set, NullLogger.Instance, fixture.Planner);

    private static async Task<(DeployResult Result, List<DeployEvent> Events)> DeployAsync(FastDeployer deployer, PlannerFixture fixture, params string[] targets)
    {
        var events = new List<DeployEvent>();
        var progress = new Recorder(events);
        var result = await deployer.DeployAsync(new DeployRequest(fixture.Repository.Root, targets, fixture.Settings) { Trigger = "test" }, progress);
        return (result, events);
    }

    [Fact]
    public async Task Every_component_of_the_catalogue_deploys_each_under_its_name_and_its_own_state_key()
    {
        var fixture = await FixtureAsync();

        var (result, events) = await DeployAsync(Deployer(fixture), fixture);

        Assert.Equal(["gateway", "canary", "supervisor", "probe", "chart"], result.Deployed);
        Assert.Contains("binary supervisor /opt/openshell/bin/openshell-sandbox", _fakes.Log);
        Assert.Contains("binary probe /opt/openshell/bin/openshell-probe", _fakes.Log);
        Assert.Contains("build canary", _fakes.Log);
        Assert.Equal(
            [new ImagePin("image", $"{RepositoryBase}/gateway", DigestOf("gateway")), new ImagePin("canary.image", $"{RepositoryBase}/canary", DigestOf("canary"))],
            _fakes.Pins["chart"]);
        Assert.Contains($"rollout canary {RepositoryBase}/canary@{DigestOf("canary")}", _fakes.Log);

        // Each component under its own state key, with the fingerprint the plan took.
        var state = (await fixture.Store.ReadAsync()).State!;
        foreach (var component in result.Plan.Components)
        {
            Assert.Equal(component.Fingerprint, state.Fingerprints[component.Component.StateKey]);
        }

        Assert.Equal(["canary", "gateway", "helm", "probe", "supervisor"], state.Fingerprints.Keys.Order(StringComparer.Ordinal));

        // Events, step results and outcomes name the component they belong to.
        Assert.Equal(["probe", "supervisor"], events.Where(e => e is { Step: DeployStep.Supervisor, Kind: DeployEventKind.Started }).Select(e => e.Component).Order(StringComparer.Ordinal));
        Assert.Equal("probe", Assert.Single(events, e => e.Message == "Probe binary updated on cluster node.").Component);
        Assert.Equal("supervisor", Assert.Single(events, e => e.Message == FastDeployer.SupervisorUpdatedLine).Component);
        Assert.Equal(["gateway", "canary"], events.Where(e => e is { Step: DeployStep.GatewayRollout, Kind: DeployEventKind.Succeeded }).Select(e => e.Component));
        Assert.Contains(events, e => e.Kind == DeployEventKind.Line && e.Message == FastDeployer.RestartLine && e.Component == "gateway");
        Assert.Contains(events, e => e.Kind == DeployEventKind.Line && e.Message == "Restarting canary to pick up updated image..." && e.Component == "canary");
        Assert.Equal(2, result.Steps.Count(s => s is { Step: DeployStep.Supervisor, Outcome: DeployStepOutcome.Succeeded }));
        Assert.Equal(ShaOf("probe"), result.Of("probe")!.Sha256);
        Assert.Equal("/opt/openshell/bin/openshell-probe", result.Of("probe")!.NodePath);
        Assert.Equal($"{RepositoryBase}/canary@{DigestOf("canary")}", result.Of("canary")!.Image);
        Assert.True(result.Of("chart")!.HelmChartChanged);

        // The history line names the component of every step.
        var entry = Assert.Single((await DeployHistory.ForRepository(fixture.Repository.Root).ReadAsync()).Entries);
        Assert.Equal(["probe", "supervisor"], entry.Steps.Where(s => s.Name == "supervisor").Select(s => s.Component).Order(StringComparer.Ordinal));
        Assert.Equal(["canary", "gateway"], entry.Steps.Where(s => s.Name == "image push").Select(s => s.Component).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_second_binary_fails_by_name_and_only_the_components_that_deployed_are_recorded()
    {
        var fixture = await FixtureAsync();
        var deployer = Deployer(fixture);
        await DeployAsync(deployer, fixture);
        var before = (await fixture.Store.ReadAsync()).State!.Fingerprints;
        fixture.Repository.Append(ProbeFile, "// edited");
        fixture.Repository.Append(GitTestRepository.SupervisorFile, "// edited");
        _fakes.Failing["probe"] = "dotnet publish src/OpenShell.Probe/OpenShell.Probe.csproj failed: CS1002";
        var events = new List<DeployEvent>();

        var error = await Assert.ThrowsAsync<DeployException>(() =>
            deployer.DeployAsync(new DeployRequest(fixture.Repository.Root, [], fixture.Settings), new Recorder(events)));

        Assert.Equal(("probe", DeployStep.Supervisor), (error.Component, error.Step));
        Assert.Contains("CS1002", error.Message, StringComparison.Ordinal);
        var failed = Assert.Single(events, e => e.Kind == DeployEventKind.Failed && e.Step != DeployStep.Total);
        Assert.Equal("probe", failed.Component);
        Assert.Contains(events, e => e is { Kind: DeployEventKind.Succeeded, Step: DeployStep.Supervisor, Component: "supervisor" });

        // The supervisor deployed and is recorded; the probe keeps its last good fingerprint, so the next plan rebuilds it.
        var after = (await fixture.Store.ReadAsync()).State!.Fingerprints;
        Assert.NotEqual(before["supervisor"], after["supervisor"]);
        Assert.Equal(before["probe"], after["probe"]);
        var next = await fixture.PlanAsync();
        Assert.Equal(["probe"], next.Components.Where(c => c.Rebuild).Select(c => c.Component.Name));
        var entry = (await DeployHistory.ForRepository(fixture.Repository.Root).ReadAsync()).Entries[^1];
        Assert.Equal(("supervisor", "probe"), (entry.FailedStep, entry.FailedComponent));
    }

    [Fact]
    public async Task A_second_image_alone_rebuilds_only_itself_and_its_chart_which_keeps_the_first_image_pinned()
    {
        var fixture = await FixtureAsync();
        var deployer = Deployer(fixture);
        await DeployAsync(deployer, fixture);
        fixture.Repository.Append(CanaryFile, "// edited");
        var logged = _fakes.Log.Count;

        var (result, events) = await DeployAsync(deployer, fixture);

        Assert.Equal(["canary", "chart"], result.Deployed);
        Assert.Equal(
            [$"build canary", "push canary", $"chart chart image={RepositoryBase}/gateway@kept, canary.image={RepositoryBase}/canary@{DigestOf("canary")}",
             $"rollout canary {RepositoryBase}/canary@{DigestOf("canary")}"],
            _fakes.Log.Skip(logged));
        Assert.Contains(events, e => e is { Kind: DeployEventKind.Skipped, Step: DeployStep.Builds, Component: "gateway", Message: "the gateway is up to date" });
        Assert.Contains(events, e => e is { Kind: DeployEventKind.Skipped, Step: DeployStep.GatewayRollout, Component: "gateway", Message: "the gateway image did not change" });
        Assert.Contains(events, e => e is { Kind: DeployEventKind.Skipped, Step: DeployStep.Supervisor, Component: "probe", Message: "the probe is up to date" });
    }

    [Theory]
    [InlineData(false, new[] { "canary", "chart" })]
    [InlineData(null, new string[0])]
    [InlineData(true, new string[0])]
    public async Task An_image_the_registry_lost_is_pushed_again_though_nothing_changed(bool? held, string[] deployed)
    {
        var fixture = await FixtureAsync();
        var deployer = Deployer(fixture);
        await DeployAsync(deployer, fixture);
        var logged = _fakes.Log.Count;
        _fakes.InRegistry["canary"] = held;

        var (result, _) = await DeployAsync(deployer, fixture);

        Assert.True(deployed.SequenceEqual(result.Deployed), string.Join("; ", result.Plan.Components.Select(c =>
            $"{c.Component.Name} {c.Rebuild} [{string.Join(", ", c.Reasons.Select(r => r.Kind))}]")) + " | deployed " + string.Join(",", result.Deployed) + " | " + string.Join(" / ", _fakes.Log.Skip(logged)));
        if (held == false)
        {
            Assert.Equal(RebuildReasonKind.MissingFromRegistry, Assert.Single(result.Plan["canary"].Reasons).Kind);
            Assert.Equal(
                ["build canary", "push canary", $"chart chart image={RepositoryBase}/gateway@kept, canary.image={RepositoryBase}/canary@{DigestOf("canary")}",
                 $"rollout canary {RepositoryBase}/canary@{DigestOf("canary")}"],
                _fakes.Log.Skip(logged));
            Assert.True(result.StateWritten);
        }
        else
        {
            // Held, or a registry that cannot be asked: the state is trusted and nothing runs.
            Assert.True(result.NothingToDo);
            Assert.Equal(logged, _fakes.Log.Count);
        }
    }

    [Fact]
    public async Task A_second_binary_named_as_the_target_deploys_alone()
    {
        var fixture = await FixtureAsync();

        var (result, _) = await DeployAsync(Deployer(fixture), fixture, "probe");

        Assert.Equal(["probe"], result.Deployed);
        Assert.Equal(["binary probe /opt/openshell/bin/openshell-probe"], _fakes.Log);
        Assert.False(result.StateWritten);
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
}
