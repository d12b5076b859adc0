using Docker.DotNet;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Ties an <see cref="SshTunnel"/> to a Docker client: every request first makes sure the tunnel is open, and disposing
/// the client (which disposes its configuration's credentials) stops the tunnel. Docker.DotNet has no other hook that
/// runs before each request and ends with the client.
/// </summary>
internal sealed class SshTunnelCredentials(SshTunnel tunnel) : Credentials
{
    public override bool IsTlsCredentials() => false;

    public override HttpMessageHandler GetHandler(HttpMessageHandler innerHandler) => new OpeningHandler(tunnel, innerHandler);

    public override void Dispose()
    {
        tunnel.Dispose();
        base.Dispose();
    }

    private sealed class OpeningHandler(SshTunnel tunnel, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await tunnel.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
