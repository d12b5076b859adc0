using System.CommandLine;
using OpenShell.DevLoop.RuntimeBundle;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary><c>openshell-dev bundle</c>: verify, stage, fetch and pack GPU runtime bundles.</summary>
internal static partial class BundleCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var command = new Command("bundle", "GPU runtime bundle tarballs: verify, stage for the cluster image, fetch into the cache, pack.");
        command.Subcommands.Add(CreateVerify(stdout, stderr));
        command.Subcommands.Add(CreateStage(stdout, stderr, environment));
        command.Subcommands.Add(CreateFetch(stdout, stderr));
        command.Subcommands.Add(CreatePack(stdout, stderr, environment));
        return command;
    }

    private static Option<string> ArchOption(bool required) => new("--arch")
    {
        Description = "The architecture: amd64 or arm64 (x86_64 and aarch64 are accepted).",
        Required = required,
    };

    /// <summary>Runs one subcommand, turning a bundle error into its message on stderr (as OpenShell prints it) and exit code 1.</summary>
    private static async Task<int> RunAsync(TextWriter stderr, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (RuntimeBundleException ex)
        {
            await CliErrors.PrintBundleAsync(stderr, ex).ConfigureAwait(false);
            return 1;
        }
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => FormattableString.Invariant($"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => FormattableString.Invariant($"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => FormattableString.Invariant($"{bytes / 1024.0:0.0} KiB"),
        _ => FormattableString.Invariant($"{bytes} B"),
    };
}
