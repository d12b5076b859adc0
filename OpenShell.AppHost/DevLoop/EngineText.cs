using System.Globalization;
using OpenShell.DevLoop.Engine;

namespace OpenShell.AppHost.DevLoop;

/// <summary>The engine's status in the dashboard's words.</summary>
internal static class EngineText
{
    /// <summary><c>127.0.0.1:41001 → 6443, …</c>, or why there are none.</summary>
    public static string Forwards(EngineFacts? facts) => facts switch
    {
        null => "",
        { Forwards.Count: 0 } => "none: the engine's ports are dialled as published",
        _ => string.Join(", ", facts.Forwards.OrderBy(f => f.Key).Select(f => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{f.Value} → {f.Key}"))),
    };

    /// <summary><c>connected</c>, <c>connecting</c>, or the failure with the next try.</summary>
    public static string State(EngineStatus status) => status.Link switch
    {
        EngineLink.Connected => "connected",
        EngineLink.Lost => string.Create(CultureInfo.InvariantCulture,
            $"lost ({status.FailedChecks} failed check(s); next in {status.RetryIn?.TotalSeconds ?? 0:0} s): {status.Problem?.Message}{(status.Problem?.Remedy is { } fix ? $"; {fix}" : "")}"),
        _ => "connecting",
    };
}
