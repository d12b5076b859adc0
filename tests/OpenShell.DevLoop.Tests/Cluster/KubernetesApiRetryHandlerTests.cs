using System.Net;
using System.Net.Http.Headers;
using OpenShell.DevLoop.Cluster;

namespace OpenShell.DevLoop.Tests.Cluster;

/// <summary>Which Kubernetes API failures are retried, for how long, and how a spent budget fails.</summary>
public sealed class KubernetesApiRetryHandlerTests
{
    private const string Url = "https://127.0.0.1:6443/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/openshell";
    private static readonly KubernetesApiRetryPolicy s_policy = new(4, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    public static TheoryData<string, string, int, int> Retried => new()
    {
        // method, content type, status, attempts until the 200
        { "GET", "", 500, 3 },
        { "GET", "", 503, 2 },
        { "GET", "", 429, 2 },
        { "PATCH", "application/merge-patch+json", 409, 3 },
        { "POST", "application/json", 429, 2 },
        { "DELETE", "", 502, 2 },
    };

    [Theory]
    [MemberData(nameof(Retried))]
    public async Task A_transient_failure_is_retried_until_the_answer(string method, string contentType, int status, int attempts)
    {
        var inner = new ScriptedHandler(Enumerable.Repeat((HttpStatusCode)status, attempts - 1).Append(HttpStatusCode.OK));
        var waits = new List<TimeSpan>();
        using var client = Client(inner, waits);

        using var response = await client.SendAsync(Request(method, contentType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(attempts, inner.Calls);
        Assert.Equal(attempts - 1, waits.Count);
        Assert.All(inner.Bodies, b => Assert.Equal(contentType.Length == 0 ? "" : "{\"spec\":{}}", b));
    }

    public static TheoryData<string, string, int> NotRetried => new()
    {
        { "POST", "application/json", 500 },         // a create may have happened
        { "PUT", "application/json", 409 },          // a conflict on a versioned update is the caller's to resolve
        { "PATCH", "application/json-patch+json", 409 },
        { "GET", "", 404 },
        { "GET", "", 403 },
    };

    [Theory]
    [MemberData(nameof(NotRetried))]
    public async Task An_answer_that_retrying_cannot_change_is_passed_on_or_failed_at_once(string method, string contentType, int status)
    {
        var inner = new ScriptedHandler(Enumerable.Repeat((HttpStatusCode)status, 5));
        using var client = Client(inner, []);

        try
        {
            using var response = await client.SendAsync(Request(method, contentType));
            Assert.Equal((HttpStatusCode)status, response.StatusCode);
        }
        catch (KubernetesApiException ex)
        {
            Assert.Equal(status, ex.StatusCode);
        }

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task A_spent_budget_fails_naming_the_request_the_status_the_attempts_and_the_fix()
    {
        var inner = new ScriptedHandler(Enumerable.Repeat(HttpStatusCode.InternalServerError, 10));
        var waits = new List<TimeSpan>();
        using var client = Client(inner, waits);

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.SendAsync(Request("GET", "")));

        Assert.Equal(4, inner.Calls);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], waits);
        Assert.Contains("GET /apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/openshell: 500 Internal Server Error (4 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the deploy again", error.Remedy, StringComparison.Ordinal);
        Assert.Equal(500, error.StatusCode);
    }

    [Fact]
    public async Task Retry_after_is_honoured_and_one_longer_than_allowed_ends_the_retries()
    {
        var inner = new ScriptedHandler([HttpStatusCode.TooManyRequests, HttpStatusCode.OK]) { RetryAfter = TimeSpan.FromSeconds(2) };
        var waits = new List<TimeSpan>();
        using (var client = Client(inner, waits))
        {
            using var response = await client.SendAsync(Request("GET", ""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal([TimeSpan.FromSeconds(2)], waits);

        var tooLong = new ScriptedHandler([HttpStatusCode.TooManyRequests, HttpStatusCode.OK]) { RetryAfter = TimeSpan.FromMinutes(5) };
        using var impatient = Client(tooLong, []);
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => impatient.SendAsync(Request("GET", "")));
        Assert.Contains("429", error.Message, StringComparison.Ordinal);
        Assert.Contains("retry after 300 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, tooLong.Calls);
    }

    [Fact]
    public async Task An_attempt_unanswered_within_its_timeout_is_retried_then_fails_as_unanswered()
    {
        var inner = new ScriptedHandler(Enumerable.Repeat(HttpStatusCode.OK, 5)) { Hang = true };
        var policy = s_policy with { AttemptTimeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 2 };
        using var client = new HttpClient(new KubernetesApiRetryHandler(policy, (_, _) => Task.CompletedTask) { InnerHandler = inner });

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.SendAsync(Request("GET", "")));

        Assert.Equal(2, inner.Calls);
        Assert.Contains("no answer within 0.2 s", error.Message, StringComparison.Ordinal);
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task A_watch_passes_through_unretried()
    {
        var inner = new ScriptedHandler([HttpStatusCode.InternalServerError]);
        using var client = Client(inner, []);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, Url + "?watch=true"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, inner.Calls);
    }

    private static HttpClient Client(ScriptedHandler inner, List<TimeSpan> waits) =>
        new(new KubernetesApiRetryHandler(s_policy, (wait, _) =>
        {
            waits.Add(wait);
            return Task.CompletedTask;
        })
        { InnerHandler = inner });

    private static HttpRequestMessage Request(string method, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), Url);
        if (contentType.Length > 0)
        {
            request.Content = new StringContent("{\"spec\":{}}");
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return request;
    }

    private sealed class ScriptedHandler(IEnumerable<HttpStatusCode> statuses) : HttpMessageHandler
    {
        private readonly Queue<HttpStatusCode> _statuses = new(statuses);

        public int Calls { get; private set; }

        public List<string> Bodies { get; } = [];

        public TimeSpan? RetryAfter { get; init; }

        public bool Hang { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            Bodies.Add(request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken));
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var status = _statuses.Dequeue();
            var response = new HttpResponseMessage(status) { RequestMessage = request, Content = new StringContent("{}") };
            if (status == HttpStatusCode.TooManyRequests && RetryAfter is { } after)
            {
                response.Headers.RetryAfter = new RetryConditionHeaderValue(after);
            }

            return response;
        }
    }
}
