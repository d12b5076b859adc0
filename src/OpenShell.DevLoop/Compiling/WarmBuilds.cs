using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// The warm compilers of a long-lived front end, one per dev publish of a component (project, output folder): the project
/// and the projects it references, with the global properties the component's publish gives each.
/// </summary>
/// <param name="logger">Where the compilers log.</param>
internal sealed class WarmBuilds(ILogger logger)
{
    private readonly ConcurrentDictionary<string, WarmCompiler> _compilers = new(StringComparer.Ordinal);

    /// <summary>
    /// The compiler of the publish of <paramref name="project"/> (relative to <paramref name="repositoryRoot"/>) into
    /// <paramref name="output"/> with <paramref name="properties"/>.
    /// </summary>
    public WarmCompiler For(string repositoryRoot, string project, string output, WarmPublishProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var key = $"{repositoryRoot}|{project}|{output}|{string.Join(';', properties.Shared)}|{string.Join(';', properties.Published)}";
        return _compilers.GetOrAdd(key, _ => new WarmCompiler(repositoryRoot, Specs(repositoryRoot, project, properties), logger));
    }

    /// <summary>
    /// The chain of <paramref name="project"/>: referenced projects first, each with the shared properties (as MSBuild
    /// builds them), then the project with its own on top.
    /// </summary>
    internal static IReadOnlyList<WarmProjectSpec> Specs(string repositoryRoot, string project, WarmPublishProperties properties)
    {
        var specs = new List<WarmProjectSpec>();
        foreach (var reference in References(repositoryRoot, project, new HashSet<string>(StringComparer.Ordinal)))
        {
            specs.Add(new WarmProjectSpec(reference, properties.Shared));
        }

        specs.Add(new WarmProjectSpec(project, [.. properties.Shared, .. properties.Published]));
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
