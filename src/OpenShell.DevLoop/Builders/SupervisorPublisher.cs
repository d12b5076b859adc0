using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Compiling;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Builders;

/// <summary>Publishes the supervisor (<c>src/OpenShell.Sandbox</c>, binary <c>openshell-sandbox</c>) for the cluster's architecture.</summary>
public static partial class SupervisorPublisher
{
    /// <summary>The project, relative to the repository root.</summary>
    public const string ProjectPath = "src/OpenShell.Sandbox/OpenShell.Sandbox.csproj";

    /// <summary>The published binary's name.</summary>
    public const string BinaryName = "openshell-sandbox";

    /// <summary>The kept publish folder of a <paramref name="build"/> for <paramref name="architecture"/> under the repository's <c>.cache/</c>.</summary>
    public static string DefaultOutputDirectory(string repositoryRoot, string architecture, SupervisorBuild build) =>
        new FileSystem.CachePaths(repositoryRoot).SupervisorPublish(architecture, build);

    /// <summary>
    /// The global properties the dev build's publish into <paramref name="outputDirectory"/> gives the supervisor and the
    /// projects it references (see the arguments of <see cref="PublishAsync(string, string, string, string, string, SupervisorBuild, ILogger, CancellationToken)"/>).
    /// </summary>
    internal static WarmPublishProperties DevBuildProperties(string architecture, string outputDirectory) => new(
        ["Configuration=Release", "OpenShellSupervisorBuild=Dev", DevBuild.Property, "ArtifactsPath=" + Path.GetFullPath(Path.Combine(outputDirectory, "..", "artifacts"))],
        ["RuntimeIdentifier=" + ClusterArchitecture.RuntimeIdentifier(architecture), "_CommandLineDefinedRuntimeIdentifier=true"]);

    /// <summary>
    /// Runs <c>dotnet publish -c Release -r linux-&lt;arch&gt;</c> into <paramref name="outputDirectory"/> and returns the
    /// binary's path. Output goes to the log; a failure throws with the last lines.
    /// </summary>
    public static Task<string> PublishAsync(string repositoryRoot, string architecture, string outputDirectory, ILogger logger, CancellationToken ct = default) =>
        PublishAsync(repositoryRoot, architecture, outputDirectory, SupervisorBuild.Release, logger, ct);

    /// <summary>Publishes the given <paramref name="build"/> of the supervisor into <paramref name="outputDirectory"/> and returns the binary's path.</summary>
    public static Task<string> PublishAsync(string repositoryRoot, string architecture, string outputDirectory, SupervisorBuild build, ILogger logger, CancellationToken ct = default) =>
        PublishAsync(repositoryRoot, ProjectPath, BinaryName, architecture, outputDirectory, build, logger, ct);

    /// <summary>
    /// Publishes the given <paramref name="build"/> of <paramref name="projectPath"/> (relative to the repository root) into
    /// <paramref name="outputDirectory"/> and returns the path of the executable <paramref name="binaryName"/> it wrote.
    /// </summary>
    public static async Task<string> PublishAsync(
        string repositoryRoot, string projectPath, string binaryName, string architecture, string outputDirectory, SupervisorBuild build, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var project = Path.Combine(repositoryRoot, projectPath);
        if (!File.Exists(project))
        {
            throw new InvalidOperationException($"{project} does not exist; the binary is built from it (see \"project\" in {Components.ComponentCatalog.RelativePath}).");
        }

        var rid = ClusterArchitecture.RuntimeIdentifier(architecture);
        LogPublishing(logger, build, rid, outputDirectory);
        var watch = Stopwatch.StartNew();
        List<string> arguments = [project, "-c", "Release", "-r", rid, "-o", outputDirectory, "--nologo", "-v", "quiet", "-clp:NoSummary"];
        if (build == SupervisorBuild.Dev)
        {
            // Its own artifacts folder: the dev build's properties differ, and sharing obj/ would make each build undo the other's.
            // A function of its inputs (no commit id, mapped source paths): unchanged sources give the same sha256.
            arguments.AddRange(["-p:OpenShellSupervisorBuild=Dev", "-p:" + DevBuild.Property, "--artifacts-path", Path.Combine(outputDirectory, "..", "artifacts")]);
        }

        await DotnetPublish.RunAsync(repositoryRoot, arguments, logger, ct).ConfigureAwait(false);

        var binary = Path.Combine(outputDirectory, binaryName);
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"dotnet publish {projectPath} -r {rid} succeeded but wrote no {binaryName} into {outputDirectory}; the file name of \"nodePath\" must be the project's executable name.");
        }

        LogPublished(logger, binary, watch.Elapsed.TotalSeconds);
        return binary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing the supervisor ({Build} build) for {Rid} into {Output}")]
    private static partial void LogPublishing(ILogger logger, SupervisorBuild build, string rid, string output);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Binary} in {Seconds:F1}s")]
    private static partial void LogPublished(ILogger logger, string binary, double seconds);
}
