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
    private readonly SimpleGlobs?[] _simple;
    private readonly Dictionary<string, ulong> _masks = new(StringComparer.Ordinal);

    // Per folder, the components whose folder-shaped include (and exclude) globs select its files: the files of a tree
    // share few folders, so most paths cost one lookup here plus their literal globs.
    private readonly Dictionary<string, (ulong Include, ulong Exclude)> _folders = new(StringComparer.Ordinal);
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
        // A path listed twice is classified twice, to the same mask: cheaper than making the list distinct.
        var unknown = new List<string>();
        foreach (var path in paths)
        {
            if (!_masks.ContainsKey(path))
            {
                unknown.Add(path);
            }
        }

        if (unknown.Count == 0)
        {
            return _masks;
        }

        _masks.EnsureCapacity(_masks.Count + unknown.Count);

        var folders = _folders.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var path in unknown)
        {
            var slash = path.LastIndexOf('/');
            var folder = slash < 0 ? [] : path.AsSpan(0, slash);
            if (!folders.TryGetValue(folder, out var byFolder))
            {
                byFolder = FolderMasks(path);
                folders[folder] = byFolder;
            }

            _masks[path] = SimpleMask(path, byFolder);
        }

        for (var i = 0; i < _componentMatchers.Length; i++)
        {
            if (_simple[i] is not null)
            {
                continue;
            }

            foreach (var match in _componentMatchers[i].Match(s_root, unknown.Select(p => Path.Combine(s_root, p))).Files)
            {
                _masks[match.Path] |= 1UL << i;
            }
        }

        return _masks;
    }

    // The folder-shaped globs' answers for the folder of `path` (any file of that folder gives the same ones).
    private (ulong Include, ulong Exclude) FolderMasks(string path)
    {
        ulong include = 0, exclude = 0;
        for (var i = 0; i < _simple.Length; i++)
        {
            if (_simple[i] is { } simple)
            {
                include |= simple.FolderInclude.Any(g => g.IsMatch(path)) ? 1UL << i : 0;
                exclude |= simple.FolderExclude.Any(g => g.IsMatch(path)) ? 1UL << i : 0;
            }
        }

        return (include, exclude);
    }

    // The mask of `path` over the components whose globs all have simple shapes.
    private ulong SimpleMask(string path, (ulong Include, ulong Exclude) byFolder)
    {
        ulong mask = 0;
        for (var i = 0; i < _simple.Length; i++)
        {
            if (_simple[i] is not { } simple)
            {
                continue;
            }

            var bit = 1UL << i;
            var included = (byFolder.Include & bit) != 0 || simple.LiteralInclude.Contains(path);
            if (included && (byFolder.Exclude & bit) == 0 && !simple.LiteralExclude.Contains(path))
            {
                mask |= bit;
            }
        }

        return mask;
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

    private static SimpleGlobs? TrySimple(ComponentDefinition component)
    {
        var include = component.Include.Select(SimpleGlob.TryCreate).OfType<SimpleGlob>().ToArray();
        var exclude = component.Exclude.Select(SimpleGlob.TryCreate).OfType<SimpleGlob>().ToArray();
        if (include.Length != component.Include.Count || exclude.Length != component.Exclude.Count)
        {
            return null;
        }

        // A literal glob is its path.
        HashSet<string> Literals(IReadOnlyList<string> globs, SimpleGlob[] simple) =>
            globs.Where((_, i) => !simple[i].FolderOnly).ToHashSet(StringComparer.Ordinal);
        return new SimpleGlobs(
            [.. include.Where(g => g.FolderOnly)], Literals(component.Include, include), [.. exclude.Where(g => g.FolderOnly)], Literals(component.Exclude, exclude));
    }

    // A component's globs when all have simple shapes: the folder-shaped ones, and the literal paths.
    private sealed record SimpleGlobs(SimpleGlob[] FolderInclude, HashSet<string> LiteralInclude, SimpleGlob[] FolderExclude, HashSet<string> LiteralExclude);

    private static Matcher CreateMatcher(IEnumerable<string> include, IEnumerable<string> exclude)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(include);
        matcher.AddExcludePatterns(exclude);
        return matcher;
    }
}
