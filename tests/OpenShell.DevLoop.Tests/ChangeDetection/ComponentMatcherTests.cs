using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Components;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ChangeDetection;

public sealed class ComponentMatcherTests
{
    private static readonly ComponentMatcher s_matcher = new(ComponentCatalog.Load(RepositoryPaths.Root));

    // Bits: 1 = gateway, 2 = supervisor, 4 = chart.
    [Theory]
    [InlineData("src/OpenShell.Server/Program.cs", 1ul)]
    [InlineData("src/OpenShell.Server/Sub/Dir/File.cs", 1ul)]
    [InlineData("deploy/docker/Dockerfile.gateway", 1ul)]
    [InlineData("src/OpenShell.Sandbox/Program.cs", 2ul)]
    [InlineData("src/OpenShell.Core/X.cs", 3ul)]
    [InlineData("global.json", 3ul)]
    [InlineData("NuGet.config", 3ul)]
    [InlineData("deploy/helm/openshell/templates/statefulset.yaml", 4ul)]
    [InlineData("src/OpenShell.Server/bin/Debug/x.dll", 0ul)]
    [InlineData("src/OpenShell.Core/obj/x.json", 0ul)]
    [InlineData("README.md", 0ul)]
    [InlineData("src/OpenShell.ServerTools/x.cs", 0ul)]
    [InlineData("sub/global.json", 0ul)]
    [InlineData("deploy/helm/other/values.yaml", 0ul)]
    public void Classifies_paths_by_the_catalog_globs(string path, ulong mask) =>
        Assert.Equal(mask, s_matcher.MaskOf(path));

    [Fact]
    public void A_folders_files_share_its_folder_globs_but_literal_globs_stay_per_file_whichever_comes_first()
    {
        string[] paths =
        [
            "deploy/docker/Dockerfile.gateway", "deploy/docker/Dockerfile.cluster", "src/OpenShell.Server/obj/a.json", "src/OpenShell.Server/a.cs",
            "src/OpenShell.Server/obj/Directory.Build.props", "Directory.Build.props", "README.md", "src/OpenShell.Core/bin/x/global.json",
        ];
        var expected = new ulong[] { 1, 0, 0, 1, 0, 3, 0, 0 };
        var catalog = ComponentCatalog.Load(RepositoryPaths.Root);

        var forward = new ComponentMatcher(catalog).Classify(paths);
        var backward = new ComponentMatcher(catalog).Classify(paths.Reverse());

        Assert.Equal(expected, paths.Select(p => forward[p]));
        Assert.Equal(expected, paths.Select(p => backward[p]));
    }

    [Fact]
    public void Names_the_glob_that_matched()
    {
        var globs = s_matcher.MatchingGlobs(0, ["src/OpenShell.Core/A.cs", "deploy/docker/Dockerfile.gateway"]);

        Assert.Equal("src/OpenShell.Core/**", globs["src/OpenShell.Core/A.cs"]);
        Assert.Equal("deploy/docker/Dockerfile.gateway", globs["deploy/docker/Dockerfile.gateway"]);
    }

    [Fact]
    public void Other_glob_shapes_go_through_the_globbing_library()
    {
        var catalog = ComponentCatalog.Parse(
            "{\"exclude\":[\"**/bin/**\"],\"components\":[{\"name\":\"docs\",\"kind\":\"image\",\"include\":[\"docs/**/*.md\"],\"exclude\":[\"docs/drafts/**\"]}]}",
            "test.json");
        var matcher = new ComponentMatcher(catalog);

        Assert.Equal(1ul, matcher.MaskOf("docs/a/b.md"));
        Assert.Equal(0ul, matcher.MaskOf("docs/a/b.txt"));
        Assert.Equal(0ul, matcher.MaskOf("docs/drafts/b.md"));
        Assert.Equal(0ul, matcher.MaskOf("docs/bin/b.md"));
        Assert.Equal("docs/**/*.md", matcher.MatchingGlobs(0, ["docs/a/b.md"])["docs/a/b.md"]);
    }
}
