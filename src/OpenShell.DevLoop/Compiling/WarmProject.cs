using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// One project's compilation kept alive: the compiler's own command line parsed by Roslyn, its syntax trees, references,
/// source generators and analyzer config, so an edit re-parses only the changed files and emits the assembly as the
/// compiler MSBuild runs would.
/// </summary>
internal sealed class WarmProject
{
    private readonly CSharpCommandLineArguments _args;
    private GeneratorDriver? _driver;

    private WarmProject(string name, string directory, CSharpCommandLineArguments args, CSharpCompilation compilation, GeneratorDriver? driver, Dictionary<string, FileStamp> sources)
    {
        Name = name;
        Directory = directory;
        _args = args;
        Compilation = compilation;
        _driver = driver;
        Sources = sources;
    }

    /// <summary>The project's file name without extension.</summary>
    public string Name { get; }

    /// <summary>The project's folder.</summary>
    public string Directory { get; }

    /// <summary>The compilation of the sources on disk (without generated files).</summary>
    public CSharpCompilation Compilation { get; private set; }

    /// <summary>The project's own sources (not under <c>obj/</c> or <c>bin/</c>) with the stamps they were read with.</summary>
    public Dictionary<string, FileStamp> Sources { get; }

    /// <summary>The assembly's file name (<c>openshell-sandbox.dll</c>).</summary>
    public string OutputFileName => _args.OutputFileName ?? Name + ".dll";

    /// <summary>Builds the compilation from the compiler's <paramref name="arguments"/> for the project in <paramref name="projectDirectory"/>.</summary>
    /// <exception cref="InvalidOperationException">The command line does not parse.</exception>
    public static async Task<WarmProject> LoadAsync(string name, string projectDirectory, IReadOnlyList<string> arguments, AnalyzerLoader loader, CancellationToken ct)
    {
        var args = CSharpCommandLineParser.Default.Parse(arguments, projectDirectory, sdkDirectory: null);
        if (args.Errors.FirstOrDefault(e => e.Severity == DiagnosticSeverity.Error) is { } error)
        {
            throw new InvalidOperationException($"the compiler's command line of {name} does not parse: {error.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        var configs = new List<AnalyzerConfig>();
        foreach (var path in args.AnalyzerConfigPaths)
        {
            configs.Add(AnalyzerConfig.Parse(SourceText.From(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), Encoding.UTF8), path));
        }

        var config = AnalyzerConfigSet.Create(configs);
        var trees = new List<SyntaxTree>();
        var sources = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        foreach (var source in args.SourceFiles)
        {
            trees.Add(await ParseAsync(args, source.Path, ct).ConfigureAwait(false));
            if (IsOwnSource(projectDirectory, source.Path))
            {
                sources[source.Path] = FileStamp.Of(source.Path);
            }
        }

        var references = args.MetadataReferences
            .Select(r => (MetadataReference)MetadataReference.CreateFromFile(Path.GetFullPath(r.Reference, projectDirectory), r.Properties))
            .ToList();
        var options = args.CompilationOptions
            .WithSourceReferenceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, args.BaseDirectory, args.PathMap))
            .WithMetadataReferenceResolver(null)
            .WithXmlReferenceResolver(new XmlFileResolver(args.BaseDirectory))
            .WithStrongNameProvider(new DesktopStrongNameProvider(ImmutableArray<string>.Empty))
            .WithSyntaxTreeOptionsProvider(new TreeOptionsProvider(config));
        var compilation = CSharpCompilation.Create(args.CompilationName, trees, references, options);

        var generators = Generators(name, args.ResolveAnalyzerReferences(loader));
        GeneratorDriver? driver = generators.IsEmpty
            ? null
            : CSharpGeneratorDriver.Create(
                generators,
                args.AdditionalFiles.Select(f => (AdditionalText)new FileText(f.Path)),
                args.ParseOptions,
                new ConfigOptionsProvider(config),
                new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false, baseDirectory: args.GeneratedFilesOutputDirectory ?? args.OutputDirectory));
        return new WarmProject(name, projectDirectory, args, compilation, driver, sources);
    }

    // The source generators of the analyzer references. One that does not load fails the capture (MSBuild builds, and
    // says why): compiled without its generator the project would fail, or differ from MSBuild's build.
    private static ImmutableArray<ISourceGenerator> Generators(string name, IEnumerable<AnalyzerReference> references)
    {
        var generators = ImmutableArray.CreateBuilder<ISourceGenerator>();
        foreach (var reference in references)
        {
            string? failure = null;
            if (reference is AnalyzerFileReference file)
            {
                file.AnalyzerLoadFailed += (_, e) => failure ??= e.Message;
            }

            generators.AddRange(reference.GetGenerators(LanguageNames.CSharp));
            if (failure is not null)
            {
                throw new InvalidOperationException($"the analyzer {reference.FullPath} of {name} does not load: {failure}");
            }
        }

        return generators.ToImmutable();
    }

    /// <summary>Re-reads <paramref name="paths"/> (own sources) into the compilation.</summary>
    public async Task ReplaceAsync(IEnumerable<string> paths, CancellationToken ct)
    {
        var compilation = Compilation;
        foreach (var path in paths)
        {
            var old = compilation.SyntaxTrees.First(t => t.FilePath == path);
            compilation = compilation.ReplaceSyntaxTree(old, await ParseAsync(_args, path, ct).ConfigureAwait(false));
            Sources[path] = FileStamp.Of(path);
        }

        Compilation = compilation;
    }

    /// <summary>Points the reference to an assembly named <paramref name="fileName"/> at <paramref name="image"/> (a dependency just emitted).</summary>
    public void ReplaceReference(string fileName, byte[] image)
    {
        var old = Compilation.References.OfType<PortableExecutableReference>()
            .FirstOrDefault(r => string.Equals(Path.GetFileName(r.FilePath ?? r.Display), fileName, StringComparison.Ordinal));
        if (old is not null)
        {
            Compilation = Compilation.ReplaceReference(old, MetadataReference.CreateFromImage(image, old.Properties, filePath: old.FilePath));
        }
    }

    /// <summary>Runs the generators and emits the assembly and its PDB; the errors (file(line,col): error ...) when it does not compile.</summary>
    public (byte[] Pe, byte[] Pdb, IReadOnlyList<string> Errors) Emit(CancellationToken ct)
    {
        var compilation = Compilation;
        var errors = new List<string>();
        if (_driver is not null)
        {
            _driver = _driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics, ct);
            compilation = (CSharpCompilation)generated;
            errors.AddRange(generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(Format));
        }

        var outputPath = Path.Combine(_args.OutputDirectory, OutputFileName);
        var pdbPath = _args.PdbPath ?? Path.ChangeExtension(outputPath, ".pdb");
        var emitOptions = _args.EmitOptions.WithPdbFilePath(MapPath(pdbPath, _args.PathMap));
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        using var xml = _args.DocumentationPath is null ? null : new MemoryStream();
        using var manifest = _args.Win32Manifest is { } manifestPath ? File.OpenRead(manifestPath) : null;
        using var icon = _args.Win32Icon is { } iconPath ? File.OpenRead(iconPath) : null;
        using var win32 = _args.Win32ResourceFile is { } resourcePath
            ? File.OpenRead(resourcePath)
            : compilation.CreateDefaultWin32Resources(versionResource: true, noManifest: _args.NoWin32Manifest, manifestContents: manifest, iconInIcoFormat: icon);
        var result = compilation.Emit(pe, pdb, xml, win32, _args.ManifestResources, emitOptions, cancellationToken: ct);
        errors.AddRange(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(Format));
        return (pe.ToArray(), pdb.ToArray(), errors);
    }

    private static bool IsOwnSource(string projectDirectory, string path)
    {
        var relative = Path.GetRelativePath(projectDirectory, path).Replace('\\', '/');
        return !relative.StartsWith("../", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal) && !relative.StartsWith("bin/", StringComparison.Ordinal);
    }

    private static async Task<SyntaxTree> ParseAsync(CSharpCommandLineArguments args, string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var text = SourceText.From(stream, encoding: null, checksumAlgorithm: args.ChecksumAlgorithm);
        return CSharpSyntaxTree.ParseText(text, args.ParseOptions, path, ct);
    }

    // The compiler's /pathmap applied to a path it writes into the output (the PDB's path in the debug directory).
    private static string MapPath(string path, ImmutableArray<KeyValuePair<string, string>> map)
    {
        foreach (var (from, to) in map)
        {
            if (path.StartsWith(from, StringComparison.Ordinal))
            {
                return to + path[from.Length..];
            }
        }

        return path;
    }

    private static string Format(Diagnostic diagnostic) => diagnostic.ToString();

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default)
        {
            using var stream = File.OpenRead(Path);
            return SourceText.From(stream);
        }
    }
}
