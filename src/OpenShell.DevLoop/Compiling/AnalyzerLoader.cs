using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// Loads source generators (the compiler's <c>/analyzer:</c> assemblies) as the compiler does: one load context per
/// folder, where an assembly a generator needs is looked for beside it, and the compiler's own come from the host.
/// Projects of one build may name two copies of one generator (a NuGet package's and the targeting pack's, say); one
/// shared context could hold only the first, and the second project then compiled without its generator.
/// </summary>
internal sealed class AnalyzerLoader : IAnalyzerAssemblyLoader
{
    private readonly Dictionary<string, FolderContext> _folders = new(StringComparer.Ordinal);

    public void AddDependencyLocation(string fullPath)
    {
        lock (_folders)
        {
            ContextOf(fullPath);
        }
    }

    public Assembly LoadFromPath(string fullPath)
    {
        lock (_folders)
        {
            return ContextOf(fullPath).Load(fullPath);
        }
    }

    private FolderContext ContextOf(string fullPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(fullPath))!;
        if (!_folders.TryGetValue(folder, out var context))
        {
            context = new FolderContext(folder);
            _folders[folder] = context;
        }

        return context;
    }

    private sealed class FolderContext(string folder) : AssemblyLoadContext($"warm-compiler-analyzers:{folder}")
    {
        private readonly Dictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

        public Assembly Load(string fullPath)
        {
            if (!_loaded.TryGetValue(fullPath, out var assembly))
            {
                assembly = LoadFromAssemblyPath(fullPath);
                _loaded[fullPath] = assembly;
            }

            return assembly;
        }

        // A dependency beside the analyzer; else (null) the host's, which holds the compiler's own assemblies.
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(folder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
