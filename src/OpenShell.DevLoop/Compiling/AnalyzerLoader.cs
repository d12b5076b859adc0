using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// Loads source generators (the compiler's <c>/analyzer:</c> assemblies) into one context of their own; an assembly one
/// of them needs is looked for beside the analyzers already loaded, and the compiler's own come from the host.
/// </summary>
internal sealed class AnalyzerLoader : IAnalyzerAssemblyLoader
{
    private readonly AssemblyLoadContext _context = new("warm-compiler-analyzers");
    private readonly Dictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);

    public AnalyzerLoader() => _context.Resolving += (context, name) =>
    {
        lock (_loaded)
        {
            return _folders.Select(f => Path.Combine(f, name.Name + ".dll")).FirstOrDefault(File.Exists) is { } path ? context.LoadFromAssemblyPath(path) : null;
        }
    };

    public void AddDependencyLocation(string fullPath)
    {
        lock (_loaded)
        {
            _folders.Add(Path.GetDirectoryName(fullPath)!);
        }
    }

    public Assembly LoadFromPath(string fullPath)
    {
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(fullPath, out var assembly))
            {
                _folders.Add(Path.GetDirectoryName(fullPath)!);
                assembly = _context.LoadFromAssemblyPath(fullPath);
                _loaded[fullPath] = assembly;
            }

            return assembly;
        }
    }
}
