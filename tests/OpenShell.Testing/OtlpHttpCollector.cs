using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenShell.Testing;

/// <summary>
/// An OTLP/HTTP receiver on a loopback port that keeps each request's path, API key and body (protobuf strings are plain
/// UTF-8; ids are raw bytes, kept in <c>Raw</c>).
/// </summary>
public sealed class OtlpHttpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string? ApiKey, string Body, byte[] Raw)> _requests = new();
    private readonly Task _loop;

    public OtlpHttpCollector()
    {
        var port = LoopbackPorts.Free();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.Headers["x-otlp-api-key"], Encoding.UTF8.GetString(body.ToArray()), body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        });
    }

    public string Endpoint { get; }

    public async Task<(string Path, string? ApiKey, string Body, byte[] Raw)> WaitForAsync(string path, string content)
    {
        for (var i = 0; i < 100; i++)
        {
            if (_requests.FirstOrDefault(r => r.Path == path && r.Body.Contains(content, StringComparison.Ordinal)) is { Path: not null } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"no request to {path} containing '{content}'; got: {string.Join(", ", _requests.Select(r => r.Path))}");
    }

    public void Dispose()
    {
        // Close alone: after Stop, Close unbinds the prefixes a second time, and on Linux that binds the port anew first,
        // which fails with "Address already in use" once a parallel test has taken the freed port.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
