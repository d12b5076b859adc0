using System.Net;
using Docker.DotNet;
using OpenShell.DevLoop.Errors;

namespace OpenShell.DevLoop.Docker;

/// <summary>
/// The cluster container a deploy was copying into or running a command in is not running any more: it stopped, is
/// restarting or was removed (as when its Docker engine restarts). The step that failed is set by whoever reports it.
/// </summary>
public sealed class ContainerNotRunningException : DevLoopException
{
    /// <summary>Creates the error for <paramref name="container"/> from the engine's refusal.</summary>
    public ContainerNotRunningException(string container, DockerApiException refusal)
        : base(
            string.Empty,
            $"the cluster container {Short(container)} is not running any more ({Describe(refusal)}); it stopped or was removed during the deploy, " +
            "as when the Docker engine restarts. Nothing half-copied is in use: the node keeps the last complete build",
            remedy: null,
            RemedyAction.BringClusterUp,
            refusal)
    {
    }

    /// <summary>True when <paramref name="error"/> is the engine refusing because the container is not running or is gone.</summary>
    public static bool Is(DockerApiException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode == HttpStatusCode.NotFound
            || (error.StatusCode == HttpStatusCode.Conflict && error.ResponseBody?.Contains("is not running", StringComparison.OrdinalIgnoreCase) == true)
            || (error.StatusCode == HttpStatusCode.Conflict && error.ResponseBody?.Contains("is restarting", StringComparison.OrdinalIgnoreCase) == true);
    }

    private static string Describe(DockerApiException refusal) =>
        $"the engine answered {(int)refusal.StatusCode}: {refusal.ResponseBody?.Trim()}";

    private static string Short(string container) => container.Length == 64 ? container[..12] : container;
}
