using System.Diagnostics;
using System.Net.Sockets;
using Docker.DotNet;

namespace OpenShell.DevLoop.Engine;

/// <summary>
/// Tells a Docker engine that went away under a request (stopped, restarted or crashed while a build, a push or a copy
/// streamed, or gone before the request could connect) from a step's other failures. Docker.DotNet reports it as the bare
/// transport error (<c>The response ended prematurely</c>, <c>Connection refused</c>), which names neither the engine nor
/// what to do; here it is a transport error that came out of the Docker client, so the registry's or the cluster API's own
/// HTTP failures, and a local file's I/O error, are not taken for it.
/// </summary>
internal static class EngineDropped
{
    /// <summary>What to do when the engine went away under a step.</summary>
    public const string Remedy =
        "The engine stopped or restarted while the step ran: check that it runs again (`docker version` against the same engine); "
        + "its restart policies bring the cluster and the registry back. Nothing was recorded for the step.";

    /// <summary>True when <paramref name="error"/>, or one it wraps, is a connection failure the Docker client met.</summary>
    public static bool Is(Exception? error) => Transport(error) is not null;

    /// <summary>
    /// The message for <paramref name="error"/> (one <see cref="Is"/> accepts) met during <paramref name="during"/>: the engine
    /// and the transport error, innermost cause last.
    /// </summary>
    public static string Describe(string during, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var transport = Transport(error) ?? error;
        var cause = transport;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }

        var detail = cause == transport ? transport.Message : $"{transport.Message} ({cause.Message})";
        return $"the Docker engine went away during {during}: {detail}";
    }

    private static Exception? Transport(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or IOException or SocketException && ThrownThroughDockerClient(e))
            {
                return e;
            }
        }

        return null;
    }

    // An async exception carries the frames it unwound through: a failure of the engine's connection passed through the
    // Docker client's own methods, a registry's or a file's did not.
    private static bool ThrownThroughDockerClient(Exception error)
    {
        var client = typeof(DockerClient).Assembly;
        return new StackTrace(error, fNeedFileInfo: false).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly == client);
    }
}
