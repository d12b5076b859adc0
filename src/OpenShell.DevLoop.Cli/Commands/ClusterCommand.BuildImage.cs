using System.CommandLine;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Cli.Commands;

internal static partial class ClusterCommand
{
    private static Command CreateBuildImage(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var arch = new Option<string?>("--arch") { Description = "The target architecture (amd64 or arm64); DOCKER_PLATFORM wins; default: the Docker engine's (the host's with OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY=1)." };
        var bundle = new Option<string?>("--bundle") { Description = "The runtime bundle tarball; default: OPENSHELL_RUNTIME_BUNDLE_TARBALL[_ARCH] or the URL variables." };
        var command = new Command(
            "build-image",
            "Build the cluster image (openshell/cluster:<IMAGE_TAG>, or <IMAGE_REGISTRY>/cluster) from the working tree and a verified runtime bundle; "
            + "OPENSHELL_RUNTIME_BUNDLE_VERIFY_ONLY=1 only verifies and stages the bundle.");
        command.Options.Add(arch);
        command.Options.Add(bundle);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            var request = BuildRequest(context, parse.GetValue(arch), parse.GetValue(bundle), environment) with { PullProgress = new ImagePullPrinter(stderr) };
            var logger = new WriterLogger(stderr);
            if (UpstreamVariables.IsVerifyOnly(environment))
            {
                // No chart, no supervisor, no engine: the bundle is checked and staged, as upstream's verify-only mode.
                var staged = await ClusterImageBuild.StageBundleAsync(request, logger, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"Runtime bundle staged at {RelativeToRepository(context, staged.BundleDirectory)}").ConfigureAwait(false);
                return 0;
            }

            using var docker = DockerEngine.CreateClient(context.Settings.Engine);
            var result = await ClusterImageBuild.RunAsync(docker, request, logger, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"Runtime bundle staged at {RelativeToRepository(context, result.BundleDirectory)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"built {result.Tag} for {result.Architecture} (chart sha256 {result.ChartSha256})").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static string RelativeToRepository(Context context, string path)
        => Path.GetRelativePath(context.RepositoryRoot, path).Replace(Path.DirectorySeparatorChar, '/');
}
