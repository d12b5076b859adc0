using Microsoft.Extensions.Logging;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// Keeps the compilations of a chain of projects alive between builds (as <c>dotnet watch</c> does), so an edit of their
/// <c>.cs</c> files is compiled without MSBuild: the changed syntax trees are replaced and the changed project's assembly,
/// and those of the projects after it, are emitted straight into an output folder. Anything else (a project file,
/// props, a proto, a package, a file added or removed) is MSBuild's to build: <see cref="TryCompileAsync"/> says so and
/// the caller builds, then <see cref="CaptureAsync"/> takes the compiler command lines afresh.
/// </summary>
/// <param name="repositoryRoot">The repository root.</param>
/// <param name="projects">The projects, each after the ones it references.</param>
/// <param name="logger">Where captures and compiles are logged.</param>
public sealed partial class WarmCompiler(string repositoryRoot, IReadOnlyList<WarmProjectSpec> projects, ILogger logger)
{
    // Files outside the projects' folders that change what MSBuild builds.
    private static readonly string[] s_repositoryInputs =
        ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AnalyzerLoader _loader = new();
    private List<WarmProject>? _projects;
    private Dictionary<string, FileStamp> _inputs = new(StringComparer.Ordinal);

    /// <summary>True once the compilations are captured and still stand for the sources.</summary>
    public bool IsWarm => _projects is not null;

    /// <summary>
    /// Takes each project's compiler command line from MSBuild and builds its compilation from the files on disk (call it
    /// after an MSBuild build of these projects); the first emit is made here, so the next edit finds the compiler warm.
    /// </summary>
    /// <exception cref="InvalidOperationException">MSBuild or the command line failed; the compiler stays cold.</exception>
    public async Task CaptureAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _projects = null;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var inputs = StampInputs();
            var loaded = new List<WarmProject>();
            foreach (var spec in projects)
            {
                var path = Path.Combine(repositoryRoot, spec.Project);
                var arguments = await CompilerCommandLine.ReadAsync(repositoryRoot, path, spec.Properties, ct).ConfigureAwait(false);
                loaded.Add(await WarmProject.LoadAsync(Path.GetFileNameWithoutExtension(path), Path.GetDirectoryName(path)!, arguments, _loader, ct).ConfigureAwait(false));
            }

            foreach (var project in loaded)
            {
                _ = project.Emit(ct);
            }

            _projects = loaded;
            _inputs = inputs;
            LogCaptured(logger, string.Join(", ", loaded.Select(p => p.Name)), watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the compilations (the next build is MSBuild's).</summary>
    public void Invalidate() => _projects = null;

    /// <summary>
    /// Brings the assemblies in <paramref name="outputDirectory"/> up to date with the sources without MSBuild when only
    /// <c>.cs</c> files of the projects changed; otherwise says why MSBuild must build.
    /// </summary>
    /// <exception cref="CompileErrorException">The edit does not compile: the compiler's errors, file:line; nothing written.</exception>
    public async Task<WarmCompileResult> TryCompileAsync(string outputDirectory, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_projects is not { } warm)
            {
                return WarmCompileResult.Fallback("the compiler is not warm yet");
            }

            if (ChangedInput() is { } input)
            {
                _projects = null;
                return WarmCompileResult.Fallback($"{Path.GetRelativePath(repositoryRoot, input)} changed");
            }

            var changed = new List<(WarmProject Project, List<string> Files)>();
            foreach (var project in warm)
            {
                var onDisk = OwnSources(project.Directory);
                if (!onDisk.SetEquals(project.Sources.Keys))
                {
                    _projects = null;
                    var added = onDisk.Except(project.Sources.Keys).Concat(project.Sources.Keys.Except(onDisk)).First();
                    return WarmCompileResult.Fallback($"{Path.GetRelativePath(repositoryRoot, added)} was added or removed");
                }

                var files = project.Sources.Where(s => FileStamp.Of(s.Key) != s.Value).Select(s => s.Key).ToList();
                if (files.Count > 0)
                {
                    changed.Add((project, files));
                }
            }

            var first = warm.FindIndex(p => changed.Any(c => c.Project == p));
            if (first < 0)
            {
                return new WarmCompileResult(true, "no source changed", []);
            }

            var watch = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (project, files) in changed)
            {
                await project.ReplaceAsync(files, ct).ConfigureAwait(false);
            }

            // The changed project and every one after it (they may reference it), in order; nothing is written unless all compile.
            var emitted = new List<(WarmProject Project, byte[] Pe, byte[] Pdb)>();
            foreach (var project in warm.Skip(first))
            {
                foreach (var (before, pe, _) in emitted)
                {
                    project.ReplaceReference(before.OutputFileName, pe);
                }

                var (image, pdb, errors) = project.Emit(ct);
                if (errors.Count > 0)
                {
                    throw new CompileErrorException(project.Name, errors);
                }

                emitted.Add((project, image, pdb));
            }

            var written = new List<string>();
            foreach (var (project, pe, pdb) in emitted)
            {
                written.Add(Write(outputDirectory, project.OutputFileName, pe));
                written.Add(Write(outputDirectory, Path.ChangeExtension(project.OutputFileName, ".pdb"), pdb));
            }

            var summary = $"compiled {string.Join(", ", emitted.Select(e => e.Project.Name))} ({changed.Sum(c => c.Files.Count)} changed files) in {watch.Elapsed.TotalMilliseconds:F0} ms";
            LogCompiled(logger, summary);
            return new WarmCompileResult(true, summary, written);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Write(string folder, string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        var temporary = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static HashSet<string> OwnSources(string projectDirectory)
    {
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(projectDirectory, file).Replace('\\', '/');
            if (!relative.StartsWith("obj/", StringComparison.Ordinal) && !relative.StartsWith("bin/", StringComparison.Ordinal))
            {
                sources.Add(file);
            }
        }

        return sources;
    }

    // Every file MSBuild reads besides the .cs sources: the project files and whatever else sits in their folders (protos,
    // resources), and the repository's props, targets and package versions.
    private Dictionary<string, FileStamp> StampInputs()
    {
        var inputs = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        foreach (var name in s_repositoryInputs)
        {
            var path = Path.Combine(repositoryRoot, name);
            inputs[path] = FileStamp.Of(path);
        }

        foreach (var spec in projects)
        {
            var folder = Path.GetDirectoryName(Path.Combine(repositoryRoot, spec.Project))!;
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
                if (!file.EndsWith(".cs", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal) && !relative.StartsWith("bin/", StringComparison.Ordinal))
                {
                    inputs[file] = FileStamp.Of(file);
                }
            }
        }

        return inputs;
    }

    private string? ChangedInput()
    {
        var now = StampInputs();
        return now.Keys.Concat(_inputs.Keys).FirstOrDefault(k => !now.TryGetValue(k, out var a) || !_inputs.TryGetValue(k, out var b) || a != b);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm compiler: captured {Projects} in {Seconds:F1}s")]
    private static partial void LogCaptured(ILogger logger, string projects, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm compiler: {Summary}")]
    private static partial void LogCompiled(ILogger logger, string summary);
}
