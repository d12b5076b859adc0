using OpenShell.DevLoop.Components;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Components;

public sealed class ComponentCatalogTests
{
    [Fact]
    public void The_repository_catalog_declares_the_three_upstream_components()
    {
        var catalog = ComponentCatalog.Load(RepositoryPaths.Root);

        Assert.Equal(["gateway", "supervisor", "chart"], catalog.Components.Select(c => c.Name));
        Assert.Equal(["gateway", "supervisor", "helm"], catalog.Components.Select(c => c.StateKey));
        Assert.Equal([ComponentKind.Image, ComponentKind.Binary, ComponentKind.Helm], catalog.Components.Select(c => c.Kind));
        Assert.Equal(["build gateway", "build supervisor", "helm upgrade"], catalog.Components.Select(c => c.Label));
        var gateway = catalog.Find("gateway")!;
        Assert.Contains("src/OpenShell.Core/**", gateway.Include);
        Assert.Contains("deploy/dev/components.json", catalog.Find("sandbox")!.Include);
        Assert.Equal(["**/bin/**", "**/obj/**"], catalog.Find("helm")!.Exclude);
    }

    public static TheoryData<string, string> BadCatalogs => new()
    {
        { "{", "is not valid JSON" },
        { "[]", "top level must be an object" },
        { "{\"components\":[]}", "\"components\" must be a non-empty array" },
        { "{\"components\":[{\"kind\":\"image\",\"include\":[\"a\"]}]}", "needs a non-empty string \"name\"" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"vm\",\"include\":[\"a\"]}]}", "use one of image, binary, helm" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"image\"}]}", "has no input globs" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"image\",\"includeGroups\":[\"nope\"]}]}", "which \"inputGroups\" does not define" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"image\",\"include\":[\"../a\"]}]}", "no '..'" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"image\",\"include\":[\"a\"]},{\"name\":\"y\",\"kind\":\"helm\",\"aliases\":[\"x\"],\"include\":[\"b\"]}]}", "\"x\" is used twice" },
        { "{\"components\":[{\"name\":\"all\",\"kind\":\"image\",\"include\":[\"a\"]}]}", "\"all\" is used twice (or is reserved)" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"image\",\"stateKey\":\"cluster_name\",\"include\":[\"a\"]}]}", "state key \"cluster_name\"" },
        { "{\"components\":[{\"name\":\"x\",\"kind\":\"image\",\"include\":[3]}]}", "must contain only non-empty strings" },
    };

    [Theory]
    [MemberData(nameof(BadCatalogs))]
    public void A_bad_catalog_is_refused_naming_the_cause(string json, string cause)
    {
        var ex = Assert.Throws<ComponentCatalogException>(() => ComponentCatalog.Parse(json, "components.json"));

        Assert.Contains(cause, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("components.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_catalog_names_the_file_and_the_fix()
    {
        using var folder = new TempDirectory();

        var ex = Assert.Throws<ComponentCatalogException>(() => ComponentCatalog.Load(folder.Path));

        Assert.Contains("deploy/dev/components.json does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "gateway" }, new[] { "gateway" })]
    [InlineData(new[] { "helm", "sandbox" }, new[] { "supervisor", "chart" })]
    [InlineData(new[] { "all", "gateway" }, new[] { "gateway", "supervisor", "chart" })]
    public void Targets_resolve_in_catalog_order(string[] targets, string[] expected)
    {
        var catalog = ComponentCatalog.Load(RepositoryPaths.Root);

        Assert.True(catalog.TryResolveTargets(targets, out var components, out var unknown));
        Assert.Null(unknown);
        Assert.Equal(expected, components.Select(c => c.Name));
    }
}
