using System.CommandLine;
using System.Globalization;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>bundle pack DIR --arch ARCH [--name N] [--version V] [component options] -o OUT.tar.gz</c>.</summary>
internal static partial class BundleCommand
{
    private const string SourceDateEpoch = "SOURCE_DATE_EPOCH";

    private static Command CreatePack(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var root = new Argument<string>("dir") { Description = "The install-root folder (usr/…, etc/…)." };
        var arch = ArchOption(required: true);
        var name = new Option<string>("--name") { Description = "The bundle name (bundle_name).", DefaultValueFactory = _ => BundlePackOptions.DefaultName };
        var version = new Option<string>("--version") { Description = "The bundle version (bundle_version).", DefaultValueFactory = _ => BundlePackOptions.DefaultVersion };
        var toolkitVersion = new Option<string?>("--toolkit-version") { Description = "components.nvidia_container_toolkit.version (default: the bundle version)." };
        var toolkitCommit = new Option<string>("--toolkit-commit") { Description = "components.nvidia_container_toolkit.commit.", DefaultValueFactory = _ => BundlePackOptions.UnknownCommit };
        var libraryVersion = new Option<string?>("--libnvidia-container-version") { Description = "components.libnvidia_container.version (default: the bundle version)." };
        var libraryCommit = new Option<string>("--libnvidia-container-commit") { Description = "components.libnvidia_container.commit.", DefaultValueFactory = _ => BundlePackOptions.UnknownCommit };
        var output = new Option<string>("--output", "-o") { Description = "The tarball to write (.tar.gz).", Required = true };
        var command = new Command(
            "pack",
            "Build a reproducible bundle tarball (manifest.json in OpenShell's producer schema) from an install-root folder; created_at comes from SOURCE_DATE_EPOCH, else a fixed time.");
        command.Arguments.Add(root);
        command.Options.Add(arch);
        command.Options.Add(name);
        command.Options.Add(version);
        command.Options.Add(toolkitVersion);
        command.Options.Add(toolkitCommit);
        command.Options.Add(libraryVersion);
        command.Options.Add(libraryCommit);
        command.Options.Add(output);
        command.SetAction((parse, ct) => RunAsync(stderr, async () =>
        {
            var bundleVersion = parse.GetValue(version)!;
            var options = new BundlePackOptions
            {
                Name = parse.GetValue(name)!,
                Version = bundleVersion,
                Toolkit = new BundleComponent(parse.GetValue(toolkitVersion) ?? bundleVersion, parse.GetValue(toolkitCommit)!),
                Library = new BundleComponent(parse.GetValue(libraryVersion) ?? bundleVersion, parse.GetValue(libraryCommit)!),
                CreatedAt = CreatedAt(environment(SourceDateEpoch)),
            };
            var packed = await RuntimeBundlePacker.PackAsync(parse.GetValue(root)!, parse.GetValue(arch)!, parse.GetValue(output)!, options, ct).ConfigureAwait(false);
            await stderr.WriteLineAsync(FormattableString.Invariant($"packed {packed.BundleDirectoryName}: {packed.Manifest.Files.Count} files, {FormatBytes(packed.Manifest.PayloadBytes)}, sha256 {packed.TarballSha256}")).ConfigureAwait(false);
            await stdout.WriteLineAsync(packed.TarballPath).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>The reproducible-builds convention: seconds since the epoch; unset means the packer's fixed time.</summary>
    private static DateTimeOffset CreatedAt(string? epoch)
    {
        if (string.IsNullOrWhiteSpace(epoch))
        {
            return RuntimeBundlePacker.EntryTime;
        }

        return long.TryParse(epoch.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new RuntimeBundleException(BundleRule.InvalidInstallRoot, null, $"{SourceDateEpoch}={epoch} is not a number of seconds since 1970-01-01: set it to a Unix time (e.g. $(git log -1 --format=%ct)) or unset it");
    }
}
