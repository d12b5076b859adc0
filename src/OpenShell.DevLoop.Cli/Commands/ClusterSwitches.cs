using System.CommandLine;
using System.Globalization;

namespace OpenShell.DevLoop.Cli.Commands;

/// <summary>
/// Upstream remote deploy's cluster switches on <c>deploy</c> and <c>cluster up</c>: <c>--name</c>, <c>--port</c>,
/// <c>--image-tag</c>, <c>--recreate</c>, <c>--plaintext</c> and <c>--disable-gateway-auth</c>. All but <c>--recreate</c>
/// are given to the settings as the highest layer, so they win over <c>CLUSTER_NAME</c>, <c>GATEWAY_PORT</c> and
/// <c>IMAGE_TAG</c>; the settings validate them (the same words as for a bad variable or settings value).
/// </summary>
internal sealed class ClusterSwitches
{
    private ClusterSwitches()
    {
    }

    /// <summary><c>--name NAME</c>.</summary>
    public Option<string?> Name { get; } = new("--name")
    {
        Description = "The cluster name (CLUSTER_NAME; default: the repository folder's name).",
        HelpName = "NAME",
    };

    /// <summary><c>--port PORT</c>.</summary>
    public Option<int?> Port { get; } = new("--port")
    {
        Description = "The gateway's host port (GATEWAY_PORT; default: one picked once and kept in .env). Takes effect when the cluster is created.",
        HelpName = "PORT",
    };

    /// <summary><c>--image-tag TAG</c>.</summary>
    public Option<string?> ImageTag { get; } = new("--image-tag")
    {
        Description = "The tag of the cluster and gateway images (IMAGE_TAG; default: dev).",
        HelpName = "TAG",
    };

    /// <summary><c>--recreate</c>.</summary>
    public Option<bool> Recreate { get; } = new("--recreate")
    {
        Description = "Destroy the cluster (container and volume) and create it again before deploying.",
    };

    /// <summary><c>--plaintext</c>.</summary>
    public Option<bool> Plaintext { get; } = new("--plaintext")
    {
        Description = "INSECURE: the gateway listens on plaintext HTTP instead of mTLS. Chosen when the cluster is created; changing it needs --recreate.",
    };

    /// <summary><c>--disable-gateway-auth</c>.</summary>
    public Option<bool> DisableGatewayAuth { get; } = new("--disable-gateway-auth")
    {
        Description = "INSECURE: keep TLS but do not require client certificates. Chosen when the cluster is created; changing it needs --recreate.",
    };

    /// <summary>Creates the switches and adds them to <paramref name="command"/>.</summary>
    public static ClusterSwitches AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var switches = new ClusterSwitches();
        command.Options.Add(switches.Name);
        command.Options.Add(switches.Port);
        command.Options.Add(switches.ImageTag);
        command.Options.Add(switches.Recreate);
        command.Options.Add(switches.Plaintext);
        command.Options.Add(switches.DisableGatewayAuth);
        return switches;
    }

    /// <summary>True when <c>--recreate</c> is given.</summary>
    public bool RecreateRequested(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(Recreate);
    }

    /// <summary>The settings overrides the parsed switches give: only those that were given.</summary>
    /// <exception cref="ArgumentException">A text switch is given an empty value.</exception>
    public IReadOnlyDictionary<string, string?> Overrides(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var overrides = new Dictionary<string, string?>();
        Add(overrides, Name.Name, "OpenShell:Cluster:Name", parse.GetValue(Name));
        Add(overrides, ImageTag.Name, "OpenShell:Cluster:ImageTag", parse.GetValue(ImageTag));
        if (parse.GetValue(Port) is { } port)
        {
            // The settings check the range, with the words they use for a bad GATEWAY_PORT setting.
            overrides["OpenShell:Cluster:GatewayPort"] = port.ToString(CultureInfo.InvariantCulture);
        }

        if (parse.GetValue(Plaintext))
        {
            overrides["OpenShell:Cluster:Plaintext"] = "true";
        }

        if (parse.GetValue(DisableGatewayAuth))
        {
            overrides["OpenShell:Cluster:DisableGatewayAuth"] = "true";
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
