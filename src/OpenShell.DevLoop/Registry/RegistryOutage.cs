using System.Globalization;
using Docker.DotNet;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Registry;

/// <summary>
/// Why the dev registry stopped answering in the middle of a request, as the engine it runs on tells: the engine does not
/// answer either, the registry's container is gone or stopped, or it started again while the request ran. The registry
/// lives on the engine, so an engine that restarts looks like a registry that went silent; this names the engine then.
/// </summary>
internal static class RegistryOutage
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <paramref name="error"/> with the cause the engine gives for it, or unchanged when the registry answered (its
    /// answer is the cause) or the engine shows nothing wrong. <paramref name="since"/> is when the request began.
    /// </summary>
    public static async Task<RegistryException> ExplainAsync(IDockerClient docker, string container, DateTime since, RegistryException error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(error);
        if (error.StatusCode is not null)
        {
            return error;
        }

        var cause = await CauseAsync(docker, container, DateTime.UtcNow - since, ct).ConfigureAwait(false);
        return cause is { } found ? new RegistryException($"{error.Message} {found.Why}", found.Remedy ?? error.Remedy, null, error) : error;
    }

    private static async Task<(string Why, string? Remedy)?> CauseAsync(IDockerClient docker, string container, TimeSpan requestAge, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Limit);
        try
        {
            var state = (await docker.Containers.InspectContainerAsync(container, limit.Token).ConfigureAwait(false)).State;
            if (!state.Running)
            {
                return ($"Its container {container} is {state.Status} (exit {state.ExitCode}).", null);
            }

            // Ages on the engine's own clock, so a remote engine whose clock is off is not misread.
            var info = await docker.System.GetSystemInfoAsync(limit.Token).ConfigureAwait(false);
            if (Parse(state.StartedAt) is { } started && Parse(info.SystemTime) is { } engineNow && engineNow - started < requestAge)
            {
                return (string.Create(CultureInfo.InvariantCulture,
                    $"Its container {container} started again {(engineNow - started).TotalSeconds:0.0} s ago, while the request ran: the Docker engine restarted, or something restarted the container."),
                    "If the Docker engine restarted, nothing needs fixing.");
            }

            return null;
        }
        catch (DockerContainerNotFoundException)
        {
            return ($"Its container {container} is gone.", null);
        }
        catch (DockerApiException)
        {
            // The engine answered, with an error of its own: it cannot tell.
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return ($"The Docker engine it runs on does not answer either ({ex.Message.TrimEnd('.')}): the engine stopped or is restarting, and the registry with it.",
                "Check that the Docker engine runs.");
        }
    }

    private static DateTimeOffset? Parse(string? engineTime) =>
        DateTimeOffset.TryParse(engineTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
