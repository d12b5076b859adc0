using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// The gateway's host port: <c>GATEWAY_PORT</c> when given, else a free port in 20000–60999 chosen once and kept in
/// the repository's <c>.env</c> together with <c>OPENSHELL_GATEWAY</c> (the cluster name), as OpenShell's scripts do.
/// </summary>
public static class GatewayPortStore
{
    /// <summary>The lowest port picked.</summary>
    public const int MinPort = 20000;

    /// <summary>The highest port picked.</summary>
    public const int MaxPort = 60999;

    /// <summary>
    /// Returns the configured port, else the one recorded in <paramref name="envFile"/>, else a newly picked free port;
    /// appends <c>GATEWAY_PORT</c> and <c>OPENSHELL_GATEWAY</c> to the file when missing there.
    /// </summary>
    public static async Task<int> ResolveAsync(string envFile, string clusterName, int? configuredPort, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(envFile);
        var lines = File.Exists(envFile) ? [.. await File.ReadAllLinesAsync(envFile, ct).ConfigureAwait(false)] : new List<string>();
        var recorded = Read(lines, "GATEWAY_PORT");
        int port;
        if (configuredPort is { } configured)
        {
            port = configured;
        }
        else if (recorded is not null)
        {
            port = int.TryParse(recorded, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
                ? p
                : throw new InvalidOperationException($"{envFile} has GATEWAY_PORT={recorded}, which is not a TCP port; fix or remove that line.");
        }
        else
        {
            port = PickFreePort(Random.Shared);
        }

        var changed = false;
        if (recorded is null)
        {
            lines.Add($"GATEWAY_PORT={port.ToString(CultureInfo.InvariantCulture)}");
            changed = true;
        }

        if (Read(lines, "OPENSHELL_GATEWAY") is null)
        {
            lines.Add($"OPENSHELL_GATEWAY={clusterName}");
            changed = true;
        }

        if (changed)
        {
            await AtomicFile.WriteTextAsync(envFile, string.Join('\n', lines) + "\n", ct: ct).ConfigureAwait(false);
        }

        return port;
    }

    /// <summary>
    /// The port <see cref="ResolveAsync"/> would use without picking or writing anything: the configured one, else the
    /// one recorded in <paramref name="envFile"/>, else null (a free one is picked on the first bootstrap).
    /// </summary>
    public static int? Peek(string envFile, int? configuredPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(envFile);
        if (configuredPort is { } configured)
        {
            return configured;
        }

        var recorded = File.Exists(envFile) ? Read(File.ReadAllLines(envFile), "GATEWAY_PORT") : null;
        if (recorded is null)
        {
            return null;
        }

        return int.TryParse(recorded, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? p
            : throw new InvalidOperationException($"{envFile} has GATEWAY_PORT={recorded}, which is not a TCP port; fix or remove that line.");
    }

    /// <summary>A port in the range that nothing listens on right now.</summary>
    internal static int PickFreePort(Random random)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = random.Next(MinPort, MaxPort + 1);
            if (IsFree(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"No free TCP port found between {MinPort} and {MaxPort} after 200 tries; set GATEWAY_PORT to a free port.");
    }

    internal static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The value of <c>KEY=value</c> (last one wins), or null.</summary>
    internal static string? Read(IEnumerable<string> lines, string key)
    {
        string? value = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            if (line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                value = line[(key.Length + 1)..].Trim().Trim('"', '\'');
            }
        }

        return value;
    }
}
