using System.Net.Sockets;

namespace OpenShell.DevLoop.Docker;

/// <summary>HTTP to an engine on a unix socket without Docker.DotNet: a connect callback for <see cref="SocketsHttpHandler"/>.</summary>
internal static class UnixSocketHttp
{
    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects every request to <paramref name="socketPath"/>.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectTo(string socketPath) => async (_, ct) =>
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
