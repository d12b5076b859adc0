using Microsoft.Extensions.Logging;
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

    /// <summary>Publishes into <paramref name="outputDirectory"/> and returns it.</summary>
    /// <exception cref="InvalidOperationException">The project is missing or the publish failed.</exception>
    public static async Task<string> PublishAsync(string repositoryRoot, string architecture, string outputDirectory, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var project = Path.Combine(repositoryRoot, ProjectPath);
        if (!File.Exists(project))
        {
            throw new InvalidOperationException($"{project} does not exist; the gateway is built from the repository's src/OpenShell.Server.");
        }

        var rid = ClusterArchitecture.RuntimeIdentifier(architecture);
        await DotnetPublish.RunAsync(repositoryRoot,
            [project, "-c", "Release", "-r", rid, "--self-contained", "-o", outputDirectory, "-p:PublishSingleFile=false",
             "-p:" + DevBuild.Property, "--nologo", "-v", "quiet", "-clp:NoSummary"],
            logger, ct).ConfigureAwait(false);
        if (!File.Exists(Path.Combine(outputDirectory, BinaryName)))
        {
            throw new InvalidOperationException($"dotnet publish {ProjectPath} -r {rid} produced no {BinaryName} in {outputDirectory}.");
        }

        return outputDirectory;
    }
}
