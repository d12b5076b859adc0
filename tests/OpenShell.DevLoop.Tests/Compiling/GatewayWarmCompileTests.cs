using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Compiling;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.Compiling;

/// <summary>A clone of this repository with the gateway published by MSBuild as the fast deploy publishes it, and a warm compiler captured on it.</summary>
public sealed class GatewayCloneFixture : IAsyncLifetime
{
    public const string Architecture = "amd64";

    private readonly TempDirectory _temp = new("warm-gateway");

    public string Root => _temp.Combine("clone");

    public string Output => GatewayPublisher.DefaultOutputDirectory(Root, Architecture);

    public IReadOnlyList<WarmProjectSpec> Specs => WarmBuilds.Specs(Root, GatewayPublisher.ProjectPath, GatewayPublisher.PublishProperties(Architecture));

    public WarmCompiler Compiler { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (await TestProcess.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, Root], _temp.Path, timeout: TimeSpan.FromMinutes(2))).EnsureSuccess("git clone");
        await PublishAsync(Output);
        Compiler = await CaptureAsync();
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    public string PathOf(string relative) => Path.Combine([Root, .. relative.Split('/')]);

    public Task<string> PublishAsync(string output) => GatewayPublisher.PublishAsync(Root, Architecture, output, NullLogger.Instance);

    public async Task<WarmCompiler> CaptureAsync()
    {
        var compiler = new WarmCompiler(Root, Specs, NullLogger.Instance);
        await compiler.CaptureAsync();
        return compiler;
    }
}

/// <summary>
/// The warm compiler on the real gateway (<c>src/OpenShell.Server</c> and the projects it references) with the gateway
/// publish's properties: an edit is compiled into the publish folder to what MSBuild publishes for the files the image's
/// app layer takes, a compile error is reported file(line,col) with nothing written, and a proto falls back to MSBuild.
/// </summary>
public sealed class GatewayWarmCompileTests(GatewayCloneFixture clone) : IClassFixture<GatewayCloneFixture>
{
    private const string Service = "src/OpenShell.Server/Services/GatewayGrpcService.cs";

    [Fact]
    public void The_chain_is_the_server_after_its_references_with_the_publish_properties()
    {
        Assert.Equal(
            ["src/OpenShell.Core/OpenShell.Core.csproj", "OpenShell.ServiceDefaults/OpenShell.ServiceDefaults.csproj", GatewayPublisher.ProjectPath],
            clone.Specs.Select(s => s.Project));
        Assert.All(clone.Specs, s => Assert.Contains("OpenShellDevBuild=true", s.Properties));
        Assert.DoesNotContain("RuntimeIdentifier=linux-x64", clone.Specs[0].Properties);
        Assert.Contains("RuntimeIdentifier=linux-x64", clone.Specs[^1].Properties);
        Assert.Contains("SelfContained=true", clone.Specs[^1].Properties);
    }

    [Fact]
    public async Task An_edit_of_the_server_compiles_into_the_publish_folder_to_what_msbuild_publishes()
    {
        var original = await File.ReadAllTextAsync(clone.PathOf(Service));
        await File.WriteAllTextAsync(clone.PathOf(Service), original.Replace("\"openshell.v1\"", "\"openshell.v1-warm\"", StringComparison.Ordinal));

        var result = await clone.Compiler.TryCompileAsync(clone.Output);

        Assert.True(result.Compiled, result.Reason);
        Assert.Equal(["openshell-server.dll", "openshell-server.pdb"], result.Written.Select(p => Path.GetFileName(p)));
        var warm = await File.ReadAllBytesAsync(Path.Combine(clone.Output, "openshell-server.dll"));
        Assert.Contains("openshell.v1-warm", System.Text.Encoding.Unicode.GetString(warm), StringComparison.Ordinal);

        // The same sources again: the same bytes (deterministic).
        File.SetLastWriteTimeUtc(clone.PathOf(Service), DateTime.UtcNow.AddSeconds(1));
        Assert.True((await clone.Compiler.TryCompileAsync(clone.Output)).Compiled);
        Assert.Equal(warm, await File.ReadAllBytesAsync(Path.Combine(clone.Output, "openshell-server.dll")));

        // MSBuild's publish of the same edit into another folder: the files of the app layer (openshell-server*, OpenShell.*)
        // are the same, the assemblies by their code (their debug directory names the compiler's version), the rest byte
        // for byte; the PDBs record the compiler's version and are left out.
        var msbuild = await clone.PublishAsync(Path.Combine(Path.GetDirectoryName(clone.Output)!, "msbuild"));
        var appFiles = AppFiles(msbuild);
        Assert.Contains("openshell-server.dll", appFiles);
        Assert.Contains("OpenShell.Core.dll", appFiles);
        Assert.Equal(appFiles, AppFiles(clone.Output));
        foreach (var file in appFiles.Where(f => !f.EndsWith(".pdb", StringComparison.Ordinal)))
        {
            var expected = await File.ReadAllBytesAsync(Path.Combine(msbuild, file));
            var actual = await File.ReadAllBytesAsync(Path.Combine(clone.Output, file));
            if (file.EndsWith(".dll", StringComparison.Ordinal))
            {
                Assert.True(AssemblyCode.Of(expected).SequenceEqual(AssemblyCode.Of(actual)), $"{file}: its code differs from MSBuild's");
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{file} differs from MSBuild's");
            }
        }
    }

    [Fact]
    public async Task A_compile_error_is_reported_with_file_and_line_and_nothing_is_written()
    {
        var before = AppFiles(clone.Output).ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(clone.Output, f)));
        var original = await File.ReadAllTextAsync(clone.PathOf(Service));
        var broken = original.Replace("GatewayProgram.Version", "undefinedVersion", StringComparison.Ordinal);
        var line = broken.Split('\n').ToList().FindIndex(l => l.Contains("undefinedVersion", StringComparison.Ordinal)) + 1;
        await File.WriteAllTextAsync(clone.PathOf(Service), broken);
        CompileErrorException error;
        try
        {
            error = await Assert.ThrowsAsync<CompileErrorException>(() => clone.Compiler.TryCompileAsync(clone.Output));
        }
        finally
        {
            await File.WriteAllTextAsync(clone.PathOf(Service), original);
        }

        Assert.Contains(error.Errors, e => e.Contains($"GatewayGrpcService.cs({line},", StringComparison.Ordinal) && e.Contains("CS0103", StringComparison.Ordinal));
        Assert.Contains("OpenShell.Server does not compile", error.Message, StringComparison.Ordinal);
        foreach (var (file, content) in before)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(clone.Output, file)));
        }

        Assert.Empty(Directory.EnumerateFiles(clone.Output, "*.tmp"));
    }

    [Fact]
    public async Task A_proto_edit_falls_back_to_msbuild()
    {
        var compiler = await clone.CaptureAsync();
        var proto = clone.PathOf("src/OpenShell.Core/Protos/openshell/v1/gateway.proto");
        var original = await File.ReadAllTextAsync(proto);
        var modified = File.GetLastWriteTimeUtc(proto);
        WarmCompileResult result;
        try
        {
            await File.WriteAllTextAsync(proto, original + "\n");
            result = await compiler.TryCompileAsync(clone.Output);
        }
        finally
        {
            // Put back as it was, time included, so the fixture's compiler does not see it changed.
            await File.WriteAllTextAsync(proto, original);
            File.SetLastWriteTimeUtc(proto, modified);
        }

        Assert.False(result.Compiled);
        Assert.Contains("gateway.proto changed", result.Reason, StringComparison.Ordinal);
        Assert.False(compiler.IsWarm);
    }

    // The files the gateway image's app layer takes from the publish folder.
    private static List<string> AppFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder)
            .Select(p => Path.GetFileName(p))
            .Where(f => f.StartsWith("openshell-server", StringComparison.Ordinal) || f.StartsWith("OpenShell.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
}
