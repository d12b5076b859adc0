using System.CommandLine;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Cli.Commands;

internal static partial class ClusterCommand
{
    private static Command CreateSpec(TextWriter stdout, TextWriter stderr)
    {
        var gpu = new Option<bool>("--gpu") { Description = "As with CLUSTER_GPU=1: include the GPU device request." };
        var command = new Command(
            "spec",
            "Print, as JSON, the container-create parameters 'cluster up' would use (image, env, mounts, ports, privileges, device requests, network, extra hosts). Creates and writes nothing.");
        command.Options.Add(gpu);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var context = Resolve(parse);
            if (parse.GetValue(gpu))
            {
                context.Settings.Cluster.Gpu = true;
            }

            var port = GatewayPortStore.Peek(context.Paths.EnvFile, context.Settings.Cluster.GatewayPort);
            if (port is null)
            {
                await stderr.WriteLineAsync(
                    $"note: no gateway port is kept yet: the first 'cluster up' picks a free one in {GatewayPortStore.MinPort}-{GatewayPortStore.MaxPort} and keeps it in {context.Paths.EnvFile} (shown here as \"\")").ConfigureAwait(false);
            }

            var spec = ClusterContainerSpecFactory.Create(context.Settings, context.Paths.ClusterName, port ?? 0);
            await stdout.WriteLineAsync(ClusterContainerSpecJson.Serialize(spec)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
