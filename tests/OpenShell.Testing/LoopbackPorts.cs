using System.Net;
using System.Net.Sockets;

namespace OpenShell.Testing;

/// <summary>Ports for tests that must name one before anything listens on it.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free on 127.0.0.1 at the time of the call (the system's pick for port 0).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
