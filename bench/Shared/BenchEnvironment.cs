using System.Net;
using System.Net.Sockets;

namespace OpenShell.Bench;

/// <summary>What every benchmark needs from its surroundings: the repository it runs from and a free loopback port.</summary>
internal static class BenchEnvironment
{
    /// <summary>The repository the benchmark's program was built in (the first folder above it with <c>OpenShell.sln</c>).</summary>
    /// <exception cref="InvalidOperationException">The program is not inside the repository.</exception>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenShell.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository (OpenShell.sln not found above the program).");
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
