using System.CommandLine;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>bundle stage [TARBALL] --arch ARCH [--dest DIR]</c>.</summary>
internal static partial class BundleCommand
{
    private static Command CreateStage(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var tarball = new Argument<string?>("tarball")
        {
            Description = "The bundle tarball; when omitted, OPENSHELL_RUNTIME_BUNDLE_TARBALL[_<ARCH>] or OPENSHELL_RUNTIME_BUNDLE_URL[_<ARCH>] is used.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var arch = ArchOption(required: true);
        var dest = new Option<string>("--dest")
        {
            Description = "The staging root; the bundle lands in <dest>/<arch>/<bundle-dir>.",
            DefaultValueFactory = _ => RuntimeBundleStager.DefaultDestinationRoot,
        };
        var command = new Command("stage", "Verify a bundle and stage its payload for the cluster image build, atomically.");
        command.Arguments.Add(tarball);
        command.Options.Add(arch);
        command.Options.Add(dest);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var architecture = parse.GetValue(arch)!;
            var path = parse.GetValue(tarball)
                ?? await RuntimeBundleSource.ResolveTarballAsync(architecture, progress: new ProgressPrinter(stderr), environment: environment, ct: ct).ConfigureAwait(false);
            var staged = await RuntimeBundleStager.StageAsync(path, architecture, parse.GetValue(dest)!, progress: null, ct: ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"staged {staged.Manifest.Name} {staged.Manifest.Version} ({staged.Manifest.Architecture}) at {staged.BundleDirectory}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
