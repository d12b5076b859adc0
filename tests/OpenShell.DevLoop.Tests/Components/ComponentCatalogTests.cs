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

    [Fact]
    public void The_repository_catalog_deploys_as_OpenShell_does_without_naming_a_deploy_field()
    {
        var catalog = ComponentCatalog.Load(RepositoryPaths.Root);

        Assert.Equal(
            new ImageDeployment("src/OpenShell.Server/OpenShell.Server.csproj", "deploy/docker/Dockerfile.gateway", "gateway", "chart", "image", "openshell", "openshell", IsGateway: true),
            catalog.Find("gateway")!.Image);
        var supervisor = catalog.Find("supervisor")!.Binary!;
        Assert.Equal(new BinaryDeployment("src/OpenShell.Sandbox/OpenShell.Sandbox.csproj", "/opt/openshell/bin/openshell-sandbox"), supervisor);
        Assert.Equal(("/opt/openshell/bin", "openshell-sandbox"), (supervisor.NodeDirectory, supervisor.FileName));
        Assert.Equal(new HelmDeployment("deploy/helm/openshell", "openshell"), catalog.Find("chart")!.Helm);
        Assert.All(catalog.Components, c => Assert.Single(new object?[] { c.Image, c.Binary, c.Helm }, d => d is not null));
    }

    [Fact]
    public void A_second_component_of_a_kind_keeps_its_own_deploy_fields()
    {
        var catalog = ComponentCatalog.Parse(Catalog(
            Image("gateway", ""),
            Image("canary", ", \"project\": \"src/Canary/Canary.csproj\", \"dockerfile\": \"deploy/docker/Dockerfile.canary\", \"repository\": \"tools/canary\", \"valuesKey\": \"canary.image\", \"workload\": \"openshell/canary\""),
            Binary("supervisor", ""),
            Binary("probe", ", \"project\": \"src/Probe/Probe.csproj\", \"nodePath\": \"/opt/openshell/bin/openshell-probe\""),
            Helm("chart", "")), "components.json");

        Assert.Equal(new ImageDeployment("src/Canary/Canary.csproj", "deploy/docker/Dockerfile.canary", "tools/canary", "chart", "canary.image", "openshell", "canary", IsGateway: false),
            catalog.Find("canary")!.Image);
        Assert.False(catalog.Find("gateway")!.Image!.IsGateway, "with two images, only a marked one is the gateway");
        Assert.Equal(new BinaryDeployment("src/Probe/Probe.csproj", "/opt/openshell/bin/openshell-probe"), catalog.Find("probe")!.Binary);
        Assert.Equal("openshell-probe", catalog.Find("probe")!.Binary!.FileName);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(", \"chart\": \"second\"", "second")]
    public void An_image_is_pinned_by_the_chart_it_names_or_the_only_one(string chartField, string? expected)
    {
        var helms = expected is null ? Helm("chart", "") : Helm("chart", "") + "," + Helm("second", ", \"release\": \"second\"");
        var catalog = ComponentCatalog.Parse(Catalog(Image("gateway", chartField), helms), "components.json");

        Assert.Equal(expected ?? "chart", catalog.Find("gateway")!.Image!.Chart);
    }

    [Fact]
    public void An_image_without_any_helm_component_is_pinned_by_none()
    {
        var catalog = ComponentCatalog.Parse(Catalog(Image("gateway", ", \"gateway\": false")), "components.json");

        Assert.Null(catalog.Find("gateway")!.Image!.Chart);
        Assert.False(catalog.Find("gateway")!.Image!.IsGateway);
    }

    public static TheoryData<string, string> BadDeployFields => new()
    {
        { Catalog(Binary("s", ", \"repository\": \"x\"")), "is of kind binary and has \"repository\", which only image components take" },
        { Catalog(Helm("c", ", \"nodePath\": \"/x\"")), "is of kind helm and has \"nodePath\", which only binary components take" },
        { Catalog(Image("g", ", \"path\": \"deploy\"")), "which only helm components take" },
        { Catalog(Image("g", ", \"project\": \"../other/App.csproj\"")), "has project \"../other/App.csproj\"; paths are relative to the repository root" },
        { Catalog(Image("g", ", \"project\": \"src/App\"")), "name a .csproj file" },
        { Catalog(Image("g", ", \"dockerfile\": \"/etc/Dockerfile\"")), "has dockerfile \"/etc/Dockerfile\"" },
        { Catalog(Image("g", ", \"repository\": \"Gateway\"")), "has repository \"Gateway\"; use lowercase letters" },
        { Catalog(Image("g", ", \"valuesKey\": \"image..tag\"")), "has valuesKey \"image..tag\"" },
        { Catalog(Image("g", ", \"workload\": \"openshell\"")), "has workload \"openshell\"; use namespace/name" },
        { Catalog(Image("g", ", \"gateway\": \"yes\"")), "has \"gateway\": \"yes\"; use true or false" },
        { Catalog(Image("g", ", \"chart\": \"nope\""), Helm("c", "")), "has chart \"nope\", which is not a helm component of the catalogue (c)" },
        { Catalog(Image("g", ", \"chart\": \"s\""), Binary("s", "")), "has chart \"s\", which is not a helm component of the catalogue; name a helm component" },
        { Catalog(Image("g", ""), Helm("c", ""), Helm("d", ", \"release\": \"d\"")), "does not say which chart pins its image, and there are several helm components (c, d)" },
        { Catalog(Image("g", ", \"gateway\": true"), Image("h", ", \"gateway\": true, \"repository\": \"h\"")), "several image components are marked \"gateway\": true (g, h)" },
        { Catalog(Image("g", ", \"repository\": \"same\""), Image("h", ", \"repository\": \"same\"")), "components \"g\" and \"h\" deploy to the same image repository (same); give each its own \"repository\"" },
        { Catalog(Image("g", ""), Image("h", ", \"workload\": \"openshell/h\""), Helm("c", "")), "deploy to the same chart value (c: image); give each its own \"valuesKey\"" },
        { Catalog(Image("g", ""), Image("h", ", \"valuesKey\": \"h\""), Helm("c", "")), "deploy to the same StatefulSet (openshell/openshell); give each its own \"workload\"" },
        { Catalog(Binary("s", ""), Binary("t", "")), "components \"s\" and \"t\" deploy to the same node path (/opt/openshell/bin/openshell-sandbox); give each its own \"nodePath\"" },
        { Catalog(Binary("s", ", \"nodePath\": \"opt/bin/x\"")), "has nodePath \"opt/bin/x\"; use an absolute path" },
        { Catalog(Binary("s", ", \"nodePath\": \"/opt/bin/it's\"")), "has nodePath \"/opt/bin/it's\"; use an absolute path" },
        { Catalog(Binary("s", ", \"nodePath\": \"/opt/../x\"")), "without '.' or '..' parts" },
        { Catalog(Helm("c", ""), Helm("d", "")), "deploy to the same HelmChart (openshell); give each its own \"release\"" },
        { Catalog(Helm("c", ", \"release\": \"Open_Shell\"")), "has release \"Open_Shell\"; use a DNS label" },
        { Catalog(Helm("c", ", \"path\": 3")), "has \"path\" that is not a non-empty string" },
    };

    [Theory]
    [MemberData(nameof(BadDeployFields))]
    public void A_bad_deploy_field_is_refused_naming_the_component_and_the_fix(string json, string cause)
    {
        var ex = Assert.Throws<ComponentCatalogException>(() => ComponentCatalog.Parse(json, "components.json"));

        Assert.Contains(cause, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("components.json: ", ex.Message, StringComparison.Ordinal);
    }

    private static string Catalog(params string[] components) => $"{{\"components\":[{string.Join(",", components)}]}}";

    private static string Image(string name, string fields) => Entry(name, "image", fields);

    private static string Binary(string name, string fields) => Entry(name, "binary", fields);

    private static string Helm(string name, string fields) => Entry(name, "helm", fields);

    private static string Entry(string name, string kind, string fields) =>
        $"{{\"name\":\"{name}\",\"kind\":\"{kind}\",\"include\":[\"{name}/**\"]{fields}}}";

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
