using Microsoft.Extensions.FileSystemGlobbing;
using OpenShell.DevLoop.ChangeDetection;

namespace OpenShell.DevLoop.Tests.ChangeDetection;

public sealed class SimpleGlobTests
{
    private static readonly string[] s_paths =
    [
        "global.json", "sub/global.json", "global.json.bak", "src/OpenShell.Server/Program.cs",
        "src/OpenShell.Server/a/b/c.cs", "src/OpenShell.ServerX/a.cs", "src/OpenShell.Server", "src/openshell.server/a.cs",
        "bin/x.dll", "a/bin/x.dll", "a/b/bin/c/d.dll", "a/bin", "a/binary/x", "a/xbin/y", "obj/project.assets.json",
        "deploy/helm/openshell/values.yaml", "deploy/helm/openshell/templates/a.yaml", "deploy/helm/openshell2/x",
    ];

    public static TheoryData<string> Globs => new()
    {
        "global.json", "src/OpenShell.Server/**", "**/bin/**", "**/obj/**", "deploy/helm/openshell/**", "deploy/docker/Dockerfile.gateway",
    };

    [Theory]
    [MemberData(nameof(Globs))]
    public void Agrees_with_the_globbing_library(string glob)
    {
        var simple = SimpleGlob.TryCreate(glob);
        Assert.NotNull(simple);
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(glob);
        var root = Path.Combine(Path.GetTempPath(), "glob-root");
        var expected = matcher.Match(root, s_paths.Select(p => Path.Combine(root, p))).Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);

        foreach (var path in s_paths)
        {
            Assert.True(expected.Contains(path) == simple.IsMatch(path), $"{glob} vs {path}: library says {expected.Contains(path)}");
        }
    }

    [Theory]
    [InlineData("src/*.cs")]
    [InlineData("src/**/*.cs")]
    [InlineData("**/bin")]
    [InlineData("src/")]
    [InlineData("./src/**")]
    [InlineData("{a,b}/**")]
    public void Leaves_other_shapes_to_the_globbing_library(string glob) =>
        Assert.Null(SimpleGlob.TryCreate(glob));
}
