using k8s;
using k8s.Models;

namespace OpenShell.KubeSim.Tests;

/// <summary>Label and field selectors on list calls.</summary>
public sealed class SelectorTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    private readonly string _ns = TestNames.Unique("sel");

    public static TheoryData<string, string[]> LabelSelectors { get; } = new()
    {
        { "env=prod", ["a", "c"] },
        { "env==dev", ["b"] },
        { "env!=prod", ["b", "d"] },
        { "env in (prod,dev)", ["a", "b", "c"] },
        { "env notin (prod)", ["b", "d"] },
        { "tier", ["a", "b"] },
        { "!tier", ["c", "d"] },
        { "env=prod,tier=web", ["a"] },
        { "env in (prod), !tier", ["c"] },
    };

    public async Task InitializeAsync()
    {
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = _ns } });
        var objects = new Dictionary<string, Dictionary<string, string>>
        {
            ["a"] = new() { ["env"] = "prod", ["tier"] = "web" },
            ["b"] = new() { ["env"] = "dev", ["tier"] = "web" },
            ["c"] = new() { ["env"] = "prod" },
            ["d"] = new(),
        };
        foreach (var (name, labels) in objects)
        {
            labels["set"] = "selectors";
            await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = labels } }, _ns);
        }
    }

    public Task DisposeAsync() => sim.Client.CoreV1.DeleteNamespaceAsync(_ns);

    [Theory]
    [MemberData(nameof(LabelSelectors))]
    public async Task Label_selector_selects(string selector, string[] expected)
    {
        // "set=selectors" leaves out the namespace's own kube-root-ca.crt.
        var list = await sim.Client.CoreV1.ListNamespacedConfigMapAsync(_ns, labelSelector: "set=selectors," + selector);
        Assert.Equal(expected, list.Items.Select(i => i.Metadata.Name).Order());
    }

    [Fact]
    public async Task Field_selector_on_name_and_cluster_wide_label_selector()
    {
        var byName = await sim.Client.CoreV1.ListNamespacedConfigMapAsync(_ns, fieldSelector: "metadata.name=b");
        Assert.Equal(["b"], byName.Items.Select(i => i.Metadata.Name));

        var everywhere = await sim.Client.CoreV1.ListConfigMapForAllNamespacesAsync(labelSelector: "set=selectors,env=prod");
        Assert.Equal(["a", "c"], everywhere.Items.Where(i => i.Metadata.NamespaceProperty == _ns).Select(i => i.Metadata.Name).Order());
        Assert.False(string.IsNullOrEmpty(everywhere.Metadata.ResourceVersion));
    }
}
