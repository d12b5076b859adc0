using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Compiling;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Compiling;

/// <summary>
/// The warm compiler on a real two-project chain (a library and the console app that references it) built by MSBuild in a
/// temp folder: an edit compiles without MSBuild to what MSBuild builds, runs, and is deterministic; an error is reported
/// file:line with nothing written; a project file or a new file falls back to MSBuild.
/// </summary>
/// <summary>The chain, built once by MSBuild; each test puts back what it changes.</summary>
public sealed class WarmChainFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("warm-compiler");

    public string Root => _temp.Path;

    public string Output => _temp.Combine("App", "bin", "Release", "net10.0");

    public IReadOnlyList<WarmProjectSpec> Specs { get; } =
    [
        new("Lib/Lib.csproj", ["Configuration=Release"]),
        new("App/App.csproj", ["Configuration=Release"]),
    ];

    public async Task InitializeAsync()
    {
        // The props file also stops MSBuild from looking further up the tree.
        Write("Directory.Build.props", "<Project>\n  <PropertyGroup>\n    <Deterministic>true</Deterministic>\n    <Nullable>enable</Nullable>\n  </PropertyGroup>\n</Project>\n");
        Write("Lib/Lib.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>net10.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n");
        Write("Lib/Greeting.cs", Greeting("hello"));
        Write("App/App.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n    <TargetFramework>net10.0</TargetFramework>\n  </PropertyGroup>\n  <ItemGroup>\n    <ProjectReference Include=\"../Lib/Lib.csproj\" />\n  </ItemGroup>\n</Project>\n");
        Write("App/Program.cs", "System.Console.WriteLine(Lib.Greeting.Text());\n");
        await BuildAsync();
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    public string PathOf(string relative) => _temp.Combine(relative.Split('/'));

    public void Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public async Task BuildAsync() =>
        (await TestProcess.RunAsync("dotnet", ["build", "App/App.csproj", "-c", "Release", "--nologo", "-v", "q"], Root, timeout: TimeSpan.FromMinutes(5))).EnsureSuccess("dotnet build");

    public static string Greeting(string text) => $"namespace Lib;\n\npublic static class Greeting\n{{\n    public static string Text() => \"{text}\";\n}}\n";
}

public sealed class WarmCompilerTests(WarmChainFixture chain) : IClassFixture<WarmChainFixture>
{
    private string Output => chain.Output;

    [Fact]
    public async Task An_edit_compiles_without_msbuild_to_the_code_msbuild_builds_and_runs()
    {
        var compiler = await CapturedAsync();
        chain.Write("Lib/Greeting.cs", WarmChainFixture.Greeting("warm edit"));

        var result = await compiler.TryCompileAsync(Output);

        Assert.True(result.Compiled, result.Reason);
        Assert.Equal(["Lib.dll", "Lib.pdb", "App.dll", "App.pdb"], result.Written.Select(p => Path.GetFileName(p)));
        Assert.Equal("warm edit", (await TestProcess.RunAsync("dotnet", [Path.Combine(Output, "App.dll")], chain.Root, timeout: TimeSpan.FromMinutes(1))).EnsureSuccess("app").Stdout.Trim());
        var warm = await File.ReadAllBytesAsync(Path.Combine(Output, "Lib.dll"));

        // The same sources again: the same bytes (deterministic).
        Touch("Lib/Greeting.cs");
        Assert.True((await compiler.TryCompileAsync(Output)).Compiled);
        Assert.Equal(warm, await File.ReadAllBytesAsync(Path.Combine(Output, "Lib.dll")));

        // MSBuild's build of the edit: the same code (every method body's IL, every type and member); the debug directory
        // differs only by the compiler's own version, which the PDB records.
        await chain.BuildAsync();
        var msbuild = await File.ReadAllBytesAsync(chain.PathOf("Lib/obj/Release/net10.0/Lib.dll"));
        Assert.Equal(AssemblyCode.Of(msbuild), AssemblyCode.Of(warm));
    }

    [Fact]
    public async Task A_compile_error_is_reported_with_file_and_line_and_nothing_is_written()
    {
        var compiler = await CapturedAsync();
        var before = await File.ReadAllBytesAsync(Path.Combine(Output, "Lib.dll"));
        var source = await File.ReadAllTextAsync(chain.PathOf("Lib/Greeting.cs"));
        chain.Write("Lib/Greeting.cs", "namespace Lib;\n\npublic static class Greeting\n{\n    public static string Text() => undefinedName;\n}\n");

        var error = await Assert.ThrowsAsync<CompileErrorException>(() => compiler.TryCompileAsync(Output));
        chain.Write("Lib/Greeting.cs", source);

        Assert.Contains(error.Errors, e => e.Contains("Greeting.cs(5,", StringComparison.Ordinal) && e.Contains("CS0103", StringComparison.Ordinal));
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(Output, "Lib.dll")));
        Assert.Empty(Directory.EnumerateFiles(Output, "*.tmp"));
    }

    public static TheoryData<string, string, string> Fallbacks => new()
    {
        { "a project file", "Lib/Lib.csproj", "Lib.csproj changed" },
        { "the repository's props", "Directory.Build.props", "Directory.Build.props changed" },
        { "a new source file", "Lib/Added.cs", "Added.cs was added or removed" },
        { "another file in a project", "Lib/greeting.proto", "greeting.proto changed" },
    };

    [Theory]
    [MemberData(nameof(Fallbacks))]
    public async Task Anything_but_an_edit_of_known_sources_falls_back_to_msbuild(string what, string file, string reason)
    {
        var compiler = await CapturedAsync();
        var before = await File.ReadAllBytesAsync(Path.Combine(Output, "Lib.dll"));
        var path = chain.PathOf(file);
        var original = File.Exists(path) ? await File.ReadAllTextAsync(path) : null;
        WarmCompileResult result;
        try
        {
            chain.Write(file, original is not null ? original + "\n" : file.EndsWith(".cs", StringComparison.Ordinal) ? "namespace Lib;\n\ninternal static class Added;\n" : "syntax = \"proto3\";\n");
            result = await compiler.TryCompileAsync(Output);
        }
        finally
        {
            if (original is null)
            {
                File.Delete(path);
            }
            else
            {
                chain.Write(file, original);
            }
        }

        Assert.False(result.Compiled, what);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.False(compiler.IsWarm);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(Output, "Lib.dll")));
    }

    private async Task<WarmCompiler> CapturedAsync()
    {
        var compiler = new WarmCompiler(chain.Root, chain.Specs, NullLogger.Instance);
        await compiler.CaptureAsync();
        Assert.True(compiler.IsWarm);
        return compiler;
    }

    private void Touch(string relative) => File.SetLastWriteTimeUtc(chain.PathOf(relative), DateTime.UtcNow.AddSeconds(1));
}
