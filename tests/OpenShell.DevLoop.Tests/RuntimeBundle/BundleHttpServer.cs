using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

/// <summary>
/// A loopback HTTP server for one tarball: honours Range (unless told not to), sends an ETag, and can drop the
/// connection part-way through the first response.
/// </summary>
internal sealed class BundleHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _content;
    private readonly Task _loop;
    private int _dropsLeft;

    public BundleHttpServer(byte[] content, int dropAfterBytesOnce = -1, bool supportRange = true)
    {
        _content = content;
        _dropsLeft = dropAfterBytesOnce >= 0 ? 1 : 0;
        DropAfter = dropAfterBytesOnce;
        SupportRange = supportRange;
        var port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    public Uri BundleUrl => new(BaseUrl, "dist/bundle-amd64.tar.gz");

    public int DropAfter { get; }

    public bool SupportRange { get; }

    /// <summary>The Range header of every request (null when none), in order.</summary>
    public ConcurrentQueue<string?> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, the managed listener's Close binds the port again to find its endpoint, and fails
        // with "Address already in use" when another process took the port meanwhile.
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await HandleAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away; keep serving.
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var range = context.Request.Headers["Range"];
        Requests.Enqueue(range);
        var response = context.Response;
        if (context.Request.Url?.AbsolutePath != BundleUrl.AbsolutePath)
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }

        long start = 0;
        if (SupportRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && context.Request.Headers["If-Range"] == "\"v1\"")
        {
            start = long.Parse(range[6..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{_content.Length - 1}/{_content.Length}";
        }

        response.Headers["ETag"] = "\"v1\"";
        response.ContentLength64 = _content.Length - start;
        var body = _content.AsMemory((int)start);
        if (Interlocked.Exchange(ref _dropsLeft, 0) == 1)
        {
            await response.OutputStream.WriteAsync(body[..DropAfter]);
            await response.OutputStream.FlushAsync();
            response.Abort();
            return;
        }

        await response.OutputStream.WriteAsync(body);
        response.Close();
    }
}
