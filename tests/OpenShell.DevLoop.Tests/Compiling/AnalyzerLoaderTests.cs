using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using OpenShell.DevLoop.Compiling;

namespace OpenShell.DevLoop.Tests.Compiling;

/// <summary>The warm compiler's generator loading: the projects of one build may name two versions of one generator.</summary>
public sealed class AnalyzerLoaderTests
{
    private const string Generator = "Microsoft.Extensions.Logging.Generators.dll";

    [Fact]
    public void A_packages_copy_of_a_generator_and_the_targeting_packs_newer_one_both_give_their_generators()
    {
        // OpenShell.Core names the logging generator of the Microsoft.Extensions.Logging.Abstractions package its gRPC client
        // brings (this repository restores it), the gateway the ASP.NET Core targeting pack's. Loaded into one context, the
        // second gave no generator and the gateway's warm compile failed on its [LoggerMessage] methods.
        var (pack, packVersion) = TargetingPackCopy();
        var package = PackageCopy(packVersion);
        var loader = new AnalyzerLoader();
        foreach (var path in new[] { package, pack })
        {
            var reference = new AnalyzerFileReference(path, loader);
            var failures = new List<string>();
            reference.AnalyzerLoadFailed += (_, e) => failures.Add(e.Message);

            Assert.NotEmpty(reference.GetGenerators(LanguageNames.CSharp));
            Assert.Empty(failures);
        }
    }

    [Fact]
    public async Task A_generator_that_does_not_load_fails_the_capture_and_names_it()
    {
        // Compiled without its generator a project fails, or differs from MSBuild's build: MSBuild builds instead.
        using var work = new OpenShell.Testing.TempDirectory("analyzers");
        var damaged = work.Combine("Damaged.Generators.dll");
        await File.WriteAllTextAsync(damaged, "not an assembly");
        await File.WriteAllTextAsync(work.Combine("A.cs"), "internal static class A { }");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            WarmProject.LoadAsync("demo", work.Path, ["/target:library", "/out:demo.dll", $"/analyzer:{damaged}", "A.cs"], new AnalyzerLoader(), CancellationToken.None));

        Assert.Contains($"the analyzer {damaged} of demo does not load", error.Message, StringComparison.Ordinal);
    }

    // packs/Microsoft.AspNetCore.App.Ref/<newest>/analyzers/dotnet/cs/ under the dotnet root.
    private static (string Path, string Version) TargetingPackCopy()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var version = Directory.EnumerateDirectories(Path.Combine(root, "packs", "Microsoft.AspNetCore.App.Ref"))
            .Where(v => File.Exists(Path.Combine(v, "analyzers", "dotnet", "cs", Generator)))
            .Order(StringComparer.Ordinal)
            .LastOrDefault() ?? throw new Xunit.Sdk.XunitException($"no {Generator} in the ASP.NET Core targeting pack under {root}");
        return (Path.Combine(version, "analyzers", "dotnet", "cs", Generator), Path.GetFileName(version));
    }

    // A restored Microsoft.Extensions.Logging.Abstractions package of another version than the pack's.
    private static string PackageCopy(string packVersion)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(packages, "microsoft.extensions.logging.abstractions");
        return (Directory.Exists(folder) ? Directory.EnumerateDirectories(folder) : [])
            .Where(version => Path.GetFileName(version) != packVersion)
            .Select(version => Path.Combine(version, "analyzers", "dotnet", "roslyn4.4", "cs", Generator))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault() ?? throw new Xunit.Sdk.XunitException($"no restored Microsoft.Extensions.Logging.Abstractions package other than {packVersion} under {folder}");
    }
}
