using k8s;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Deploy;
using OpenShell.DevLoop.Images;
using OpenShell.DevLoop.State;
using OpenShell.DevLoop.Verification;
using OpenShell.KubeSim;
using OpenShell.DevLoop.Tests.Deploy;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Verification;

/// <summary>What is deployed carries its fingerprint, and the state file is compared with it.</summary>
public sealed class DeployedFingerprintsTests
{
    private static readonly string s_a = new('a', 64);
    private static readonly string s_b = new('b', 64);

    public static TheoryData<string, string?, string?, string?, string?> Comparisons => new()
    {
        // case, recorded (null: no key), deployed, problem, expected fragment (null: no difference)
        { "equal", s_a, s_a, null, null },
        { "not recorded claims nothing", null, s_b, null, null },
        { "not recorded, nothing deployed", null, null, null, null },
        { "another fingerprint deployed", s_a, s_b, null, "the state file records fingerprint aaaaaaaaaaaa, the image carries fingerprint bbbbbbbbbbbb" },
        { "recorded but nothing carries it", s_a, null, null, "the image carries no fingerprint" },
        { "carries it but cannot vouch", s_a, s_a, "the binary is another one", "records fingerprint aaaaaaaaaaaa, but the binary is another one" },
    };

    [Theory]
    [MemberData(nameof(Comparisons))]
    public void The_state_file_never_claims_what_is_not_deployed(string name, string? recorded, string? deployed, string? problem, string? expected)
    {
        var fingerprints = recorded is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["gateway"] = recorded };
        var state = new DeployState("dev", "id", fingerprints);
        var artifact = new DeployedFingerprint("gateway", "gateway", "the image", deployed) { Problem = problem };

        var differences = DeployedFingerprints.Compare(state, [artifact]);

        if (expected is null)
        {
            Assert.True(differences.Count == 0, $"{name}: {string.Join(" | ", differences)}");
        }
        else
        {
            var difference = Assert.Single(differences);
            Assert.Contains(expected, difference, StringComparison.Ordinal);
            Assert.Contains("openshell-dev deploy gateway", difference, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void No_state_file_claims_nothing() =>
        Assert.Empty(DeployedFingerprints.Compare(null, [new DeployedFingerprint("helm", "helm", "HelmChart", null)]));

    [Fact]
    public async Task Each_component_is_read_through_the_source_in_catalogue_order()
    {
        var components = new[] { Component("gateway", ComponentKind.Image), Component("supervisor", ComponentKind.Binary), Component("helm", ComponentKind.Helm) };
        var source = new FakeSource(new Dictionary<string, string?> { ["gateway"] = s_a, ["supervisor"] = s_b, ["helm"] = null });

        var deployed = await DeployedFingerprints.ReadAsync(components, source);

        Assert.Equal(["gateway", "supervisor", "helm"], deployed.Select(d => d.Component));
        Assert.Equal([s_a, s_b, null], deployed.Select(d => d.Fingerprint));
        var state = new DeployState("dev", "id", new Dictionary<string, string> { ["gateway"] = s_a, ["supervisor"] = s_a, ["helm"] = s_a });
        Assert.Equal(2, DeployedFingerprints.Compare(state, deployed).Count);
    }

    [Fact]
    public void The_node_fingerprint_file_round_trips_and_rejects_what_it_does_not_write()
    {
        var text = NodeFingerprint.Format(s_a, s_b);

        Assert.Equal($"fingerprint={s_a}\nsha256={s_b}\n", text);
        Assert.Equal(new NodeFingerprint(s_a, s_b), NodeFingerprint.Parse(text));
        Assert.Null(NodeFingerprint.Parse($"fingerprint={s_a}\n"));
        Assert.Null(NodeFingerprint.Parse($"fingerprint=x\nsha256={s_b}\n"));
        Assert.Throws<ArgumentException>(() => NodeFingerprint.Format("'; rm -rf /; '", s_b));
    }

    [Fact]
    public async Task The_helm_chart_carries_the_fingerprint_it_was_applied_from_and_an_annotation_alone_makes_no_revision()
    {
        await using var sim = await KubeSimServer.StartAsync();
        using var kube = sim.CreateClient();
        await TestHelmChart.CreateAsync(kube);
        using var temp = new TempDirectory("fingerprint-chart");
        var chart = await ChartPackager.PackAsync(Path.Combine(RepositoryPaths.Root, "deploy", "helm", "openshell"), temp.Path);
        var values = new ChartValues(chart.Sha256, []);

        var first = await HelmChartDeployer.ApplyAsync(kube, HelmChartDeployer.Name, chart, values, s_a);
        Assert.True(first.Changed);
        Assert.Equal(s_a, HelmChartDeployer.FingerprintOf(await HelmChartDeployer.ReadAsync(kube)));

        var before = await HelmChartDeployer.ReadAsync(kube);
        var second = await HelmChartDeployer.ApplyAsync(kube, HelmChartDeployer.Name, chart, values, s_b);
        var after = await HelmChartDeployer.ReadAsync(kube);

        Assert.False(second.Changed);
        Assert.Equal(s_b, HelmChartDeployer.FingerprintOf(after));
        Assert.Equal(before["spec"]!.ToJsonString(), after["spec"]!.ToJsonString());
    }

    private static ComponentDefinition Component(string name, ComponentKind kind) => new(name, kind, name, $"build {name}", [], [], []);

    private sealed class FakeSource(IReadOnlyDictionary<string, string?> fingerprints) : IDeployedFingerprintSource
    {
        public Task<DeployedFingerprint> ReadAsync(ComponentDefinition component, CancellationToken ct = default) =>
            Task.FromResult(new DeployedFingerprint(component.Name, component.StateKey, $"the {component.Name}", fingerprints[component.Name]));
    }
}
