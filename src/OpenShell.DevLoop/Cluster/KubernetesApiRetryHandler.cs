using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// Retries requests to the cluster's Kubernetes API within <see cref="KubernetesApiRetryPolicy"/>: a 429 after its
/// <c>Retry-After</c>, a 500/502/503/504, an attempt unanswered within the attempt timeout and a failed connection after a
/// doubling backoff; a 409 only for a merge patch (it carries no resource version, so sending it again is safe). A create
/// (POST) is retried only on 429, which says it was not processed. Watches pass through. When the budget is spent the
/// request fails with a <see cref="KubernetesApiException"/> that names it, what the API did and the fix, never with a
/// response that could pass for success.
/// </summary>
public sealed class KubernetesApiRetryHandler : DelegatingHandler
{
    private readonly KubernetesApiRetryPolicy _policy;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    /// <summary>Creates the handler with <paramref name="policy"/> (the default one when null).</summary>
    public KubernetesApiRetryHandler(KubernetesApiRetryPolicy? policy = null)
        : this(policy, Task.Delay)
    {
    }

    /// <summary>Creates the handler with a delay of its own (tests).</summary>
    internal KubernetesApiRetryHandler(KubernetesApiRetryPolicy? policy, Func<TimeSpan, CancellationToken, Task> delay)
    {
        _policy = policy ?? KubernetesApiRetryPolicy.Default;
        _delay = delay;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsWatch(request.RequestUri))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var backoff = _policy.FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            using var attemptRequest = attempt == 1 ? null : Clone(request, body);
            var sent = attemptRequest ?? request;

            HttpResponseMessage? response = null;
            string problem;
            TimeSpan? retryAfter = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_policy.AttemptTimeout);
                try
                {
                    response = await base.SendAsync(sent, timeout.Token).ConfigureAwait(false);
                    if (response.Content is not null)
                    {
                        // Read within the attempt: a body that stalls is an unanswered attempt too.
                        await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    response?.Dispose();
                    response = null;
                    problem = $"no answer within {Seconds(_policy.AttemptTimeout)}";
                    if (!Retries(request.Method, null) || !await WaitAsync(attempt, clock, backoff, null, cancellationToken).ConfigureAwait(false))
                    {
                        throw Failure(request, problem, attempt, clock.Elapsed, null, ex);
                    }

                    backoff *= 2;
                    continue;
                }
                catch (HttpRequestException ex)
                {
                    problem = $"the connection failed ({ex.Message})";
                    if (!Retries(request.Method, null) || !await WaitAsync(attempt, clock, backoff, null, cancellationToken).ConfigureAwait(false))
                    {
                        throw Failure(request, problem, attempt, clock.Elapsed, null, ex);
                    }

                    backoff *= 2;
                    continue;
                }
            }

            var status = (int)response.StatusCode;
            if (!IsTransient(request, response.StatusCode))
            {
                return response;
            }

            problem = $"{status} {response.ReasonPhrase}".TrimEnd();
            retryAfter = RetryAfter(response);
            response.Dispose();
            if (!Retries(request.Method, response.StatusCode))
            {
                throw Failure(request, problem, attempt, clock.Elapsed, status, null);
            }

            if (retryAfter > _policy.MaxRetryAfter)
            {
                throw Failure(request, $"{problem}, retry after {Seconds(retryAfter.Value)}", attempt, clock.Elapsed, status, null);
            }

            if (!await WaitAsync(attempt, clock, backoff, retryAfter, cancellationToken).ConfigureAwait(false))
            {
                throw Failure(request, problem, attempt, clock.Elapsed, status, null);
            }

            backoff *= 2;
        }
    }

    private static bool IsWatch(Uri? uri) =>
        uri?.Query is { Length: > 0 } query && (query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) || query.Contains("watch=1", StringComparison.Ordinal));

    private static bool IsTransient(HttpRequestMessage request, HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => true,
        HttpStatusCode.Conflict => request.Method == HttpMethod.Patch && request.Content?.Headers.ContentType?.MediaType == "application/merge-patch+json",
        _ => false,
    };

    // A create may have happened although the answer was lost: it is sent again only when the API said it did nothing (429).
    private static bool Retries(HttpMethod method, HttpStatusCode? status) =>
        method != HttpMethod.Post || status == HttpStatusCode.TooManyRequests;

    private async Task<bool> WaitAsync(int attempt, Stopwatch clock, TimeSpan backoff, TimeSpan? retryAfter, CancellationToken ct)
    {
        var wait = retryAfter ?? backoff;
        if (attempt >= _policy.MaxAttempts || clock.Elapsed + wait >= _policy.Budget)
        {
            return false;
        }

        await _delay(wait, ct).ConfigureAwait(false);
        return true;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
            _ => null,
        };

    private static KubernetesApiException Failure(HttpRequestMessage request, string problem, int attempts, TimeSpan elapsed, int? status, Exception? inner) =>
        new($"The cluster's Kubernetes API failed {request.Method} {request.RequestUri?.AbsolutePath}: {problem} "
            + $"({attempts} attempt{(attempts == 1 ? "" : "s")} in {Seconds(elapsed)}).",
            "Check that the cluster is healthy (its container is running and its API answers), then run the deploy again.", status, inner);

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");

    private static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (body is not null && request.Content is not null)
        {
            clone.Content = Content(request.Content, body);
        }

        foreach (var option in request.Options)
        {
            clone.Options.TryAdd(option.Key, option.Value);
        }

        return clone;
    }

    private static ByteArrayContent Content(HttpContent original, byte[] body)
    {
        var content = new ByteArrayContent(body);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return content;
    }
}
