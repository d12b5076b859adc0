using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// The warm compilers of a long-lived front end, one per dev build of a binary component (project, architecture,
/// output): the project and the projects it references, with the global properties the dev publish gives each.
/// </summary>
/// <param name="logger">Where the compilers log.</param>
internal sealed class WarmBuilds(ILogger logger)
{
    private readonly ConcurrentDictionary<string, WarmCompiler> _compilers = new(StringComparer.Ordinal);

    /// <summary>The compiler of the dev build of <paramref name="project"/> (relative to <paramref name="repositoryRoot"/>) published into <paramref name="output"/>.</summary>
    public WarmCompiler For(string repositoryRoot, string project, string architecture, string output) =>
        _compilers.GetOrAdd($"{repositoryRoot}|{project}|{architecture}|{output}", _ => new WarmCompiler(repositoryRoot, Specs(repositoryRoot, project, architecture, output), logger));

    /// <summary>
    /// The chain of <paramref name="project"/>: referenced projects first (as MSBuild builds them: without the runtime
    /// identifier, which the SDK does not pass to a library), then the project with the publish's runtime identifier.
    /// </summary>
    internal static IReadOnlyList<WarmProjectSpec> Specs(string repositoryRoot, string project, string architecture, string output)
    {
        List<string> common = ["Configuration=Release", "OpenShellSupervisorBuild=Dev", DevBuild.Property, "ArtifactsPath=" + Path.GetFullPath(Path.Combine(output, "..", "artifacts"))];
        var specs = new List<WarmProjectSpec>();
        foreach (var reference in References(repositoryRoot, project, new HashSet<string>(StringComparer.Ordinal)))
        {
            specs.Add(new WarmProjectSpec(reference, common));
        }

        specs.Add(new WarmProjectSpec(project, [.. common, "RuntimeIdentifier=" + ClusterArchitecture.RuntimeIdentifier(architecture), "_CommandLineDefinedRuntimeIdentifier=true"]));
        return specs;
    }

    // The projects <project> references, each after its own references, relative to the root.
    private static List<string> References(string root, string project, HashSet<string> seen)
    {
        var path = Path.Combine(root, project);
        var result = new List<string>();
        foreach (var include in XDocument.Load(path).Descendants("ProjectReference").Select(e => (string?)e.Attribute("Include")).OfType<string>())
        {
            var reference = Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, include.Replace('\\', '/'))));
            if (seen.Add(reference))
            {
                result.AddRange(References(root, reference, seen));
                result.Add(reference);
            }
        }

        return result;
    }
}
