using System.Net;

namespace OpenShell.DevLoop.Tests.Publishing;

/// <summary>An HTTP handler that answers with a function of the request and records every request it saw.</summary>
internal sealed class FakeRegistryHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, Uri Uri, string? Authorization)> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!, request.Headers.Authorization?.ToString()));
        }

        return Task.FromResult(answer(request));
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string? body = null) =>
        new(status) { Content = new StringContent(body ?? "") };
}
