using System.Diagnostics;
using System.Text.Json;

namespace OpenShell.DevLoop.Compiling;

/// <summary>
/// The exact compiler command line MSBuild uses for a project: a design-time build of its <c>Compile</c> target
/// (<c>BuildingInsideVisualStudio</c> with <c>BuildingProject=false</c> makes <c>CoreCompile</c> run even when up to date,
/// <c>SkipCompilerExecution</c> keeps the compiler from running, <c>ProvideCommandLineArgs</c> returns its arguments as
/// the <c>CscCommandLineArgs</c> items), with the same global properties as the build it stands for.
/// </summary>
internal static class CompilerCommandLine
{
    /// <summary>Reads the arguments of <paramref name="project"/> built with <paramref name="properties"/> (<c>Name=Value</c>).</summary>
    /// <exception cref="InvalidOperationException">MSBuild failed or returned no arguments; the message holds its output.</exception>
    public static async Task<IReadOnlyList<string>> ReadAsync(string workingDirectory, string project, IEnumerable<string> properties, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (string[])["msbuild", project, "-t:Compile", "-nologo", "-v:q", "-getItem:CscCommandLineArgs",
            "-p:BuildingInsideVisualStudio=true", "-p:BuildingProject=false", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true",
            // In that mode references would otherwise be resolved without the configuration (as Visual Studio passes its own).
            "-p:ShouldUnsetParentConfigurationAndPlatform=false"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var property in properties)
        {
            start.ArgumentList.Add("-p:" + property);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet msbuild {project} (the compiler's command line) failed (exit {process.ExitCode}):\n{Tail(output + errors)}");
        }

        var arguments = Parse(output);
        return arguments.Count > 0
            ? arguments
            : throw new InvalidOperationException($"dotnet msbuild {project} returned no compiler command line:\n{Tail(output + errors)}");
    }

    /// <summary>The <c>CscCommandLineArgs</c> items of <c>-getItem</c>'s JSON output.</summary>
    internal static List<string> Parse(string json)
    {
        var start = json.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        using var document = JsonDocument.Parse(json[start..]);
        return document.RootElement.TryGetProperty("Items", out var items) && items.TryGetProperty("CscCommandLineArgs", out var args)
            ? [.. args.EnumerateArray().Select(a => a.GetProperty("Identity").GetString() ?? "")]
            : [];
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(30));
}
