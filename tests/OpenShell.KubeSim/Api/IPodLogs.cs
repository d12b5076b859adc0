using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace OpenShell.KubeSim.Api;

/// <summary>Serves <c>GET .../pods/{name}/log</c> from where the pod really runs (without one, the logs are canned).</summary>
internal interface IPodLogs
{
    Task WriteLogsAsync(HttpContext context, JsonObject pod, string container);
}
