using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Compiling;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Builders;

/// <summary>
/// Publishes the gateway (<c>src/OpenShell.Server</c>, binary <c>openshell-server</c>) self-contained for the cluster's
/// architecture into a folder that is kept between deploys, so a warm publish only rebuilds what changed. Published as
/// separate files (not one bundle) so the image can keep the runtime in a layer of its own that rarely changes. A dev
/// build: the output depends on the sources only, never on the commit or the checkout's path.
/// </summary>
public static class GatewayPublisher
{
    /// <summary>The project, relative to the repository root.</summary>
    public const string ProjectPath = "src/OpenShell.Server/OpenShell.Server.csproj";

    /// <summary>The published executable's name.</summary>
    public const string BinaryName = "openshell-server";

    /// <summary>The kept publish folder for <paramref name="architecture"/> under the repository's <c>.cache/</c>.</summary>
    public static string DefaultOutputDirectory(string repositoryRoot, string architecture) =>
        new FileSystem.CachePaths(repositoryRoot).GatewayPublish(architecture);

    /// <summary>Publishes the gateway into <paramref name="outputDirectory"/> and returns it.</summary>
    /// <param name="repositoryRoot">The repository.</param>
    /// <param name="architecture">The architecture (<c>amd64</c>, <c>arm64</c>).</param>
    /// <param name="outputDirectory">The kept publish folder.</param>
    /// <param name="logger">The publish's output.</param>
    /// <param name="ct">Cancels the publish.</param>
    /// <param name="restored">True when <see cref="RestoreAsync"/> already restored the project for this architecture.</param>
    /// <exception cref="InvalidOperationException">The project is missing or the publish failed.</exception>
    public static Task<string> PublishAsync(string repositoryRoot, string architecture, string outputDirectory, ILogger logger, CancellationToken ct = default, bool restored = false) =>
        PublishAsync(repositoryRoot, ProjectPath, BinaryName, architecture, outputDirectory, logger, ct, restored);

    /// <summary>
    /// Restores the gateway once for all <paramref name="architectures"/>; then <see cref="PublishAsync(string, string, string, ILogger, CancellationToken, bool)"/>
    /// with <c>restored</c> publishes each without restoring, and an unchanged one is an up-to-date check.
    /// </summary>
    /// <exception cref="InvalidOperationException">The project is missing or the restore failed.</exception>
    public static Task RestoreAsync(string repositoryRoot, IEnumerable<string> architectures, ILogger logger, CancellationToken ct = default)
    {
        var project = Path.Combine(repositoryRoot, ProjectPath);
        return File.Exists(project)
            ? DotnetPublish.RestoreAsync(repositoryRoot, project, architectures.Select(ClusterArchitecture.RuntimeIdentifier), logger, ct)
            : throw new InvalidOperationException($"{project} does not exist; the gateway image is built from it.");
    }

    /// <summary>
    /// The global properties the publish of <see cref="PublishAsync(string, string, string?, string, string, ILogger, CancellationToken, bool)"/>
    /// gives the project and the projects it references (<c>-c Release -r RID --self-contained -p:PublishSingleFile=false</c>
    /// and the dev build's switch), as the <c>dotnet</c> command line turns its options into properties.
    /// </summary>
    internal static WarmPublishProperties PublishProperties(string architecture) => new(
        ["Configuration=Release", "PublishSingleFile=false", DevBuild.Property],
        ["RuntimeIdentifier=" + ClusterArchitecture.RuntimeIdentifier(architecture), "_CommandLineDefinedRuntimeIdentifier=true", "SelfContained=true", "_CommandLineDefinedSelfContained=true"]);

    /// <summary>
    /// Publishes <paramref name="projectPath"/> (relative to the repository root) for an image into
    /// <paramref name="outputDirectory"/> and returns it; <paramref name="executable"/>, when given, must be among its outputs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The project is missing or the publish failed.</exception>
    public static async Task<string> PublishAsync(
        string repositoryRoot, string projectPath, string? executable, string architecture, string outputDirectory, ILogger logger, CancellationToken ct = default, bool restored = false)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var project = Path.Combine(repositoryRoot, projectPath);
        if (!File.Exists(project))
        {
            throw new InvalidOperationException($"{project} does not exist; the image is built from it (see \"project\" in {Components.ComponentCatalog.RelativePath}).");
        }

        var rid = ClusterArchitecture.RuntimeIdentifier(architecture);
        string[] arguments =
        [
            project, "-c", "Release", "-r", rid, "--self-contained", "-o", outputDirectory, "-p:PublishSingleFile=false",
            "-p:" + DevBuild.Property, "--nologo", "-v", "quiet", "-clp:NoSummary",
        ];
        await DotnetPublish.RunAsync(repositoryRoot, restored ? [.. arguments, "--no-restore"] : arguments, logger, ct).ConfigureAwait(false);
        var missing = executable is null
            ? !Directory.Exists(outputDirectory) || !Directory.EnumerateFiles(outputDirectory).Any()
            : !File.Exists(Path.Combine(outputDirectory, executable));
        if (missing)
        {
            throw new InvalidOperationException($"dotnet publish {projectPath} -r {rid} produced no {executable ?? "files"} in {outputDirectory}.");
        }

        return outputDirectory;
    }
}
