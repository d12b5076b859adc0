using System.Globalization;

namespace OpenShell.DevLoop.Engine;

/// <summary>Addresses on the engine's loopback as this machine dials them.</summary>
public static class EnginePortsExtensions
{
    /// <summary>
    /// The <c>host:port</c> this machine dials for <paramref name="hostAndPort"/> as the engine names it: a loopback
    /// address (<c>127.0.0.1:5000</c>, <c>localhost:5000</c>) becomes the local end of its forward; any other host is
    /// reached as it is.
    /// </summary>
    public static async Task<string> DialAsync(this IEnginePorts ports, string hostAndPort, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentException.ThrowIfNullOrEmpty(hostAndPort);
        var colon = hostAndPort.LastIndexOf(':');
        if (ports.SharesLoopback
            || colon <= 0
            || hostAndPort[..colon] is not ("127.0.0.1" or "localhost")
            || !int.TryParse(hostAndPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return hostAndPort;
        }

        var local = await ports.LocalPortAsync(port, ct).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{local}");
    }
}
