using System.CommandLine;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Cli.Commands;

internal static partial class ClusterCommand
{
    private static Command CreateBuildBase(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command(
            "build-base",
            "Build the cluster image's glibc OS base (OpenShell:Images:ClusterBase) natively from OpenShell:Images:ClusterBaseFrom (Ubuntu 24.04) with apt: once per machine and architecture. 'build-image' runs it when the base is missing.");
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            using var docker = DockerEngine.CreateClient(context.Settings.Engine);
            var images = context.Settings.Images;
            await ClusterBaseImage.BuildAsync(docker, Path.Combine(context.RepositoryRoot, "deploy"), images.ClusterBase, images.ClusterBaseFrom, new WriterLogger(stderr), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"built {images.ClusterBase} from {images.ClusterBaseFrom}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
