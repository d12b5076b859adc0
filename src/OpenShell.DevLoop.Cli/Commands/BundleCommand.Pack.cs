using System.CommandLine;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>bundle pack DIR --arch ARCH [--name N] [--version V] -o OUT.tar.gz</c>.</summary>
internal static partial class BundleCommand
{
    private static Command CreatePack(TextWriter stdout, TextWriter stderr)
    {
        var root = new Argument<string>("dir") { Description = "The install-root folder (usr/…, etc/…)." };
        var arch = ArchOption(required: true);
        var name = new Option<string>("--name") { Description = "The bundle name.", DefaultValueFactory = _ => "nvidia-container-toolkit" };
        var version = new Option<string>("--version") { Description = "The bundle version.", DefaultValueFactory = _ => "0.0.0-local" };
        var output = new Option<string>("--output", "-o") { Description = "The tarball to write (.tar.gz).", Required = true };
        var command = new Command("pack", "Build a reproducible bundle tarball (with manifest.json) from an install-root folder.");
        command.Arguments.Add(root);
        command.Options.Add(arch);
        command.Options.Add(name);
        command.Options.Add(version);
        command.Options.Add(output);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var packed = await RuntimeBundlePacker.PackAsync(parse.GetValue(root)!, parse.GetValue(arch)!, parse.GetValue(output)!, parse.GetValue(name)!, parse.GetValue(version)!, ct).ConfigureAwait(false);
            await stderr.WriteLineAsync(FormattableString.Invariant($"packed {packed.BundleDirectoryName}: {packed.Manifest.Files.Count} files, {FormatBytes(packed.Manifest.PayloadBytes)}, sha256 {packed.TarballSha256}")).ConfigureAwait(false);
            await stdout.WriteLineAsync(packed.TarballPath).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
