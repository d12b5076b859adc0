using System.CommandLine;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// Upstream remote deploy's bundle switches on <c>deploy</c> and <c>cluster up</c>: <c>--runtime-bundle-tarball PATH</c> (a
/// tarball on this machine, verified here, sent with the cluster image's build context), <c>--remote-runtime-bundle-tarball
/// PATH</c> (one already on the Docker engine's machine) and <c>--skip-sync</c> (send none: use the remote one). Given to the
/// settings as the highest layer, so they win over <c>OPENSHELL_RUNTIME_BUNDLE_TARBALL</c> and
/// <c>OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL</c>.
/// </summary>
internal sealed class RuntimeBundleOptions
{
    private RuntimeBundleOptions()
    {
    }

    /// <summary><c>--runtime-bundle-tarball PATH</c>.</summary>
    public Option<string?> Tarball { get; } = new("--runtime-bundle-tarball")
    {
        Description = "The GPU runtime bundle tarball on this machine (OPENSHELL_RUNTIME_BUNDLE_TARBALL); verified here, sent to the engine with the cluster image's build.",
        HelpName = "PATH",
    };

    /// <summary><c>--remote-runtime-bundle-tarball PATH</c>.</summary>
    public Option<string?> RemoteTarball { get; } = new("--remote-runtime-bundle-tarball")
    {
        Description = "A runtime bundle tarball already on the Docker engine's machine (absolute path there; OPENSHELL_REMOTE_RUNTIME_BUNDLE_TARBALL), used with --skip-sync: "
            + "brought back through a helper container and verified here.",
        HelpName = "PATH",
    };

    /// <summary><c>--skip-sync</c>.</summary>
    public Option<bool> SkipSync { get; } = new("--skip-sync")
    {
        Description = "Send no local runtime bundle: use --remote-runtime-bundle-tarball (required with it).",
    };

    /// <summary>Creates the options and adds them to <paramref name="command"/>.</summary>
    public static RuntimeBundleOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new RuntimeBundleOptions();
        command.Options.Add(options.Tarball);
        command.Options.Add(options.RemoteTarball);
        command.Options.Add(options.SkipSync);
        return options;
    }

    /// <summary>The settings overrides the parsed switches give: only those that were given.</summary>
    /// <exception cref="ArgumentException">A path switch is given an empty value.</exception>
    public IReadOnlyDictionary<string, string?> Overrides(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var overrides = new Dictionary<string, string?>();
        Add(overrides, Tarball.Name, "OpenShell:RuntimeBundle:Tarball", parse.GetValue(Tarball));
        Add(overrides, RemoteTarball.Name, "OpenShell:RuntimeBundle:RemoteTarball", parse.GetValue(RemoteTarball));
        if (parse.GetValue(SkipSync))
        {
            overrides["OpenShell:RuntimeBundle:SkipSync"] = "true";
        }

        return overrides;
    }

    private static void Add(Dictionary<string, string?> overrides, string name, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        // Upstream's words for a switch given without its value.
        overrides[key] = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} requires a value") : value.Trim();
    }
}
