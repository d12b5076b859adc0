using System.CommandLine;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>bundle verify TARBALL [--arch ARCH]</c>.</summary>
internal static partial class BundleCommand
{
    private static Command CreateVerify(TextWriter stdout, TextWriter stderr)
    {
        var tarball = new Argument<string>("tarball") { Description = "The bundle tarball (.tar.gz, .tgz or .tar)." };
        var arch = ArchOption(required: false);
        var command = new Command("verify", "Check a bundle tarball against every staging rule without writing anything; prints a summary.");
        command.Arguments.Add(tarball);
        command.Options.Add(arch);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var bundle = await RuntimeBundleVerifier.VerifyAsync(parse.GetValue(tarball)!, parse.GetValue(arch), progress: null, ct: ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"bundle {bundle.BundleDirectoryName} is valid").ConfigureAwait(false);
            await WriteSummaryAsync(stdout, bundle.Manifest, bundle.TarballSha256).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static async Task WriteSummaryAsync(TextWriter stdout, BundleManifest manifest, string sha256)
    {
        await stdout.WriteLineAsync($"name: {manifest.Name}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"version: {manifest.Version}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"architecture: {manifest.Architecture}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"created at: {manifest.CreatedAt}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"{BundleManifest.ToolkitComponent}: {manifest.Toolkit.Version} (commit {manifest.Toolkit.Commit})").ConfigureAwait(false);
        await stdout.WriteLineAsync($"{BundleManifest.LibraryComponent}: {manifest.Library.Version} (commit {manifest.Library.Commit})").ConfigureAwait(false);
        await stdout.WriteLineAsync(FormattableString.Invariant($"files: {manifest.Files.Count} ({manifest.RegularFileCount} regular, {manifest.Files.Count - manifest.RegularFileCount} symlinks)")).ConfigureAwait(false);
        await stdout.WriteLineAsync(FormattableString.Invariant($"size: {manifest.PayloadBytes} bytes ({FormatBytes(manifest.PayloadBytes)})")).ConfigureAwait(false);
        await stdout.WriteLineAsync($"tarball sha256: {sha256}").ConfigureAwait(false);
    }
}
