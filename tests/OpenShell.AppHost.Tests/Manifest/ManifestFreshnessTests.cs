using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.Manifest;

/// <summary>The committed aspire-manifest.json must be what the AppHost publishes today.</summary>
public sealed class ManifestFreshnessTests
{
    [Fact]
    public async Task Committed_manifest_matches_a_fresh_export()
    {
        var root = RepositoryPaths.Root;
        var committed = Path.Combine(root, "aspire-manifest.json");
        Assert.True(File.Exists(committed), "aspire-manifest.json is missing: export it with the command in the README.");

        // Written beside the committed file so relative paths inside it come out the same.
        var fresh = Path.Combine(root, $"aspire-manifest.check-{Guid.NewGuid():N}.json");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        try
        {
            (await TestProcess.RunAsync(
                "dotnet",
                ["run", "--project", "OpenShell.AppHost", "--no-build", "-c", configuration, "--", "--publisher", "manifest", "--output-path", "../" + Path.GetFileName(fresh)],
                root,
                timeout: TimeSpan.FromMinutes(3))).EnsureSuccess("manifest export");

            Assert.True(File.Exists(fresh), "the AppHost exited without writing the manifest");
            var expected = (await File.ReadAllTextAsync(fresh)).ReplaceLineEndings().Trim();
            var actual = (await File.ReadAllTextAsync(committed)).ReplaceLineEndings().Trim();
            Assert.True(
                expected == actual,
                "aspire-manifest.json is stale; regenerate it with:\n  dotnet run --project OpenShell.AppHost -- --publisher manifest --output-path ../aspire-manifest.json\nFresh export:\n" + expected);
        }
        finally
        {
            File.Delete(fresh);
        }
    }
}
