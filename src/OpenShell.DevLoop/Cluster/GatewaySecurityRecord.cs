using System.Text;
using OpenShell.DevLoop.Errors;
using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// The gateway security a cluster was created with, as this machine remembers it beside the cluster's client certificate
/// (<c>.cache/pki/&lt;cluster&gt;/gateway-security</c>), so every caller of the gateway (CLI, dashboard, deploy checks)
/// speaks the node's protocol. The node itself records it in its environment (<see cref="GatewaySecurityModes"/>); this
/// file follows it whenever the cluster is brought up.
/// </summary>
public static class GatewaySecurityRecord
{
    /// <summary>The file's name in the cluster's PKI folder.</summary>
    public const string FileName = "gateway-security";

    /// <summary>The file for the cluster of <paramref name="paths"/>.</summary>
    public static string PathOf(ClusterPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.PkiDirectory, FileName);
    }

    /// <summary>The remembered mode; <see cref="GatewaySecurity.Mtls"/> when nothing is recorded.</summary>
    /// <exception cref="DevLoopException">The file holds something else than a mode.</exception>
    public static GatewaySecurity Read(ClusterPaths paths)
    {
        var path = PathOf(paths);
        if (!File.Exists(path))
        {
            return GatewaySecurity.Mtls;
        }

        var text = File.ReadAllText(path).Trim();
        return Enum.TryParse<GatewaySecurity>(text, ignoreCase: false, out var security) && Enum.IsDefined(security)
            ? security
            : throw new DevLoopException("Cluster", $"{path} holds '{text}', which is not a gateway security mode",
                "Bringing the cluster up writes it again from the node.", RemedyAction.BringClusterUp);
    }

    /// <summary>Remembers <paramref name="security"/> for the cluster of <paramref name="paths"/> (atomically).</summary>
    public static async Task WriteAsync(ClusterPaths paths, GatewaySecurity security, CancellationToken ct = default)
    {
        var path = PathOf(paths);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await AtomicFile.WriteAsync(path, Encoding.ASCII.GetBytes(security + "\n"), ct: ct).ConfigureAwait(false);
    }
}
