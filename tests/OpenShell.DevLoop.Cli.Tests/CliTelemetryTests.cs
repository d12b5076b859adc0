using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenShell.DevLoop.Cli.Telemetry;
using OpenShell.DevLoop.Deploy;

namespace OpenShell.DevLoop.Cli.Tests;

/// <summary><c>openshell-dev</c> exports OTLP only when the standard variables name an endpoint.</summary>
public sealed class CliTelemetryTests
{
    [Fact]
    public void Without_an_endpoint_nothing_is_started() =>
        Assert.Null(CliTelemetry.Start(Configuration(new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "x" })));

    [Fact]
    public async Task With_an_endpoint_a_deploy_is_exported_over_otlp_http_with_the_configured_headers_and_default_service_name()
    {
        using var collector = new FakeCollector();
        var trigger = $"test-{Guid.NewGuid():N}";

        using (CliTelemetry.Start(Configuration(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=test-key",
        })))
        {
            using var run = new DeployRun(null, NullLogger.Instance, trigger);
            run.Total(TimeSpan.FromSeconds(1), succeeded: true);
        }

        var traces = await collector.WaitForAsync("/v1/traces", trigger);
        Assert.Equal("test-key", traces.ApiKey);
        Assert.Contains("deploy", traces.Body, StringComparison.Ordinal);
        Assert.Contains(CliTelemetry.DefaultServiceName, traces.Body, StringComparison.Ordinal);
        var metrics = await collector.WaitForAsync("/v1/metrics", "openshell.deploy.duration");
        Assert.Contains("openshell.deploy.outcome", metrics.Body, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>An OTLP/HTTP receiver on a loopback port that keeps each request's path, API key and body (protobuf strings are plain UTF-8).</summary>
    private sealed class FakeCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string? ApiKey, string Body)> _requests = new();
        private readonly Task _loop;

        public FakeCollector()
        {
            var port = FreePort();
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
                    _requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.Headers["x-otlp-api-key"], Encoding.UTF8.GetString(body.ToArray())));
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/x-protobuf";
                    context.Response.Close();
                }
            });
        }

        public string Endpoint { get; }

        public async Task<(string Path, string? ApiKey, string Body)> WaitForAsync(string path, string content)
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
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }
    }
}
