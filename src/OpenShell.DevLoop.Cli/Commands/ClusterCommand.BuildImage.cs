using System.CommandLine;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Images;

namespace OpenShell.DevLoop.Cli.Commands;

internal static partial class ClusterCommand
{
    private static Command CreateBuildImage(TextWriter stdout, TextWriter stderr)
    {
        var arch = new Option<string?>("--arch") { Description = "The target architecture (amd64 or arm64); default: the k3s base image's." };
        var bundle = new Option<string?>("--bundle") { Description = "The runtime bundle tarball; default: OPENSHELL_RUNTIME_BUNDLE_TARBALL[_ARCH] or the URL variables." };
        var command = new Command("build-image", "Build the cluster image (openshell/cluster:<IMAGE_TAG>) from the working tree and a verified runtime bundle.");
        command.Options.Add(arch);
        command.Options.Add(bundle);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            using var docker = DockerEngine.CreateClient();
            var result = await ClusterImageBuild.RunAsync(docker, BuildRequest(context, parse.GetValue(arch), parse.GetValue(bundle)), new WriterLogger(stderr), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"built {result.Tag} for {result.Architecture} (chart sha256 {result.ChartSha256})").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
