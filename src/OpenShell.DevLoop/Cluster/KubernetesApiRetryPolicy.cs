namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// How long a request to the cluster's Kubernetes API is retried when the API answers with a transient failure (429, 5xx,
/// a 409 to a merge patch), does not answer within <see cref="AttemptTimeout"/>, or the connection fails.
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first included.</param>
/// <param name="AttemptTimeout">How long one attempt may take before it counts as unanswered.</param>
/// <param name="Budget">The time all attempts of one request may take together.</param>
/// <param name="FirstBackoff">The wait before the second attempt; it doubles for each further one.</param>
/// <param name="MaxRetryAfter">The longest <c>Retry-After</c> honoured; a longer one ends the retries.</param>
public sealed record KubernetesApiRetryPolicy(int MaxAttempts, TimeSpan AttemptTimeout, TimeSpan Budget, TimeSpan FirstBackoff, TimeSpan MaxRetryAfter)
{
    /// <summary>What a deploy uses: 5 attempts of at most 30 s each, within 60 s.</summary>
    public static KubernetesApiRetryPolicy Default { get; } = new(5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
}
