using Grpc.Core;
using OpenShell.Core.V1;

namespace OpenShell.Sandbox;

/// <summary>Registers with the gateway, retrying with exponential backoff until a deadline.</summary>
internal static class Registration
{
    private static readonly TimeSpan s_firstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_maxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Returns the gateway's answer, or throws <see cref="RegistrationTimeoutException"/> with the last failure.</summary>
    internal static async Task<RegisterResponse> RegisterAsync(
        Supervisor.SupervisorClient client, RegisterRequest request, TimeSpan timeout, Action<string> log, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = s_firstDelay;
        var attempt = 0;
        string? lastError = null;
        while (true)
        {
            attempt++;
            var remaining = deadline - DateTime.UtcNow;
            try
            {
                // One attempt never outlives the overall deadline.
                return await client.RegisterAsync(request, deadline: DateTime.UtcNow + Min(remaining, TimeSpan.FromSeconds(10)), cancellationToken: ct).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested && IsRetryable(ex.StatusCode))
            {
                // A deadline cut short by the overall timeout says less than the failure before it.
                if (ex.StatusCode != StatusCode.DeadlineExceeded || lastError is null)
                {
                    lastError = Describe(ex);
                }

                var wait = Min(delay, deadline - DateTime.UtcNow);
                if (wait <= TimeSpan.Zero)
                {
                    throw new RegistrationTimeoutException(attempt, timeout, lastError);
                }

                log($"registration attempt {attempt} failed ({Describe(ex)}); retrying in {wait.TotalSeconds:0.0}s");
                await Task.Delay(wait, ct).ConfigureAwait(false);
                delay = Min(delay * 2, s_maxDelay);
            }
        }
    }

    private static bool IsRetryable(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.ResourceExhausted or StatusCode.Aborted;

    private static string Describe(RpcException ex) =>
        ex.Status.DebugException is { } inner ? $"{ex.StatusCode}: {inner.GetBaseException().Message}" : $"{ex.StatusCode}: {ex.Status.Detail}";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>The gateway could not be reached in time.</summary>
internal sealed class RegistrationTimeoutException(int attempts, TimeSpan timeout, string lastError)
    : Exception($"could not register with the gateway within {timeout.TotalSeconds:0.#}s ({attempts} attempts); last error: {lastError}");
