using Microsoft.Extensions.FileSystemGlobbing;
using OpenShell.DevLoop.Components;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// Matches repository paths against each component's globs. Whether a path matches depends only on the
/// path and the catalog, so results are cached per path for the life of this matcher. Not thread-safe:
/// the planner runs one plan at a time.
/// </summary>
internal sealed class ComponentMatcher
{
    // A root that cannot clash with a real path: the globbing library matches paths below a root folder.
    private static readonly string s_root = Path.Combine(Path.GetTempPath(), "openshell-glob-root");

    private readonly IReadOnlyList<ComponentDefinition> _components;
    private readonly Matcher[] _componentMatchers;
    private readonly (SimpleGlob[] Include, SimpleGlob[] Exclude)?[] _simple;
    private readonly Dictionary<string, ulong> _masks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>[] _globs;
    private readonly Matcher?[][] _globMatchers;

    public ComponentMatcher(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _components = catalog.Components;
        if (_components.Count > 64)
        {
            throw new ComponentCatalogException($"{catalog.Source} declares {_components.Count} components; at most 64 are supported.");
        }

        _componentMatchers = [.. _components.Select(c => CreateMatcher(c.Include, c.Exclude))];
        _simple = [.. _components.Select(TrySimple)];
        _globs = [.. _components.Select(_ => new Dictionary<string, string>(StringComparer.Ordinal))];
        _globMatchers = [.. _components.Select(c => new Matcher?[c.Include.Count])];
    }

    /// <summary>The catalog's components; bit i of a mask is component i.</summary>
    public IReadOnlyList<ComponentDefinition> Components => _components;

    /// <summary>Returns, for each path seen so far, the set of components it feeds (bit i = component i; 0 = none).</summary>
    public IReadOnlyDictionary<string, ulong> Classify(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var unknown = paths.Where(p => !_masks.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
        {
            return _masks;
        }

        foreach (var path in unknown)
        {
            _masks[path] = 0;
        }

        for (var i = 0; i < _componentMatchers.Length; i++)
        {
            if (_simple[i] is { } simple)
            {
                foreach (var path in unknown)
                {
                    if (simple.Include.Any(g => g.IsMatch(path)) && !simple.Exclude.Any(g => g.IsMatch(path)))
                    {
                        _masks[path] |= 1UL << i;
                    }
                }

                continue;
            }

            foreach (var match in _componentMatchers[i].Match(s_root, unknown.Select(p => Path.Combine(s_root, p))).Files)
            {
                _masks[match.Path] |= 1UL << i;
            }
        }

        return _masks;
    }

    /// <summary>Returns the mask of one path (classifying it when new).</summary>
    public ulong MaskOf(string path) =>
        _masks.TryGetValue(path, out var mask) ? mask : Classify([path])[path];

    /// <summary>
    /// For each of <paramref name="paths"/> (all inputs of component <paramref name="bit"/>), the first
    /// include glob of that component that selects it. Cached like the masks.
    /// </summary>
    public IReadOnlyDictionary<string, string> MatchingGlobs(int bit, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var known = _globs[bit];
        var unknown = paths.Where(p => !known.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToList();
        var component = _components[bit];
        for (var g = 0; g < component.Include.Count && unknown.Count > 0; g++)
        {
            _globMatchers[bit][g] ??= CreateMatcher([component.Include[g]], component.Exclude);
            var matched = _globMatchers[bit][g]!.Match(s_root, unknown.Select(p => Path.Combine(s_root, p))).Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var path in matched)
            {
                known[path] = component.Include[g];
            }

            unknown.RemoveAll(matched.Contains);
        }

        return known;
    }

    private static (SimpleGlob[] Include, SimpleGlob[] Exclude)? TrySimple(ComponentDefinition component)
    {
        var include = component.Include.Select(SimpleGlob.TryCreate).OfType<SimpleGlob>().ToArray();
        var exclude = component.Exclude.Select(SimpleGlob.TryCreate).OfType<SimpleGlob>().ToArray();
        return include.Length == component.Include.Count && exclude.Length == component.Exclude.Count ? (include, exclude) : null;
    }

    private static Matcher CreateMatcher(IEnumerable<string> include, IEnumerable<string> exclude)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(include);
        matcher.AddExcludePatterns(exclude);
        return matcher;
    }
}
