using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Api;

/// <summary>
/// <c>POST /_sim/faults</c> (same bearer token as the API) for fault injection when the simulator runs out of process.
/// Body: any of <c>{"failNext":{"pathPrefix":"/api/v1/secrets","statusCode":500,"count":1}}</c>,
/// <c>{"delay":{"pathPrefix":"/apis/apps","milliseconds":500}}</c>, <c>{"neverConverge":true}</c>, <c>{"reset":true}</c>.
/// </summary>
internal static class AdminEndpoint
{
    public static async Task HandleAsync(HttpContext context, KubeSimFaults faults)
    {
        if (context.Request.Path != "/_sim/faults" || context.Request.Method != "POST")
        {
            throw new KubeApiException(404, "NotFound", "the simulator admin API serves only POST /_sim/faults");
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted)) as JsonObject
            ?? throw KubeApiException.BadRequest("the fault request must be a JSON object");
        foreach (var (key, _) in body)
        {
            if (key is not ("reset" or "failNext" or "delay" or "neverConverge"))
            {
                throw KubeApiException.BadRequest($"unknown fault \"{key}\": use failNext, delay, neverConverge or reset");
            }
        }

        try
        {
            if (body["reset"]?.GetValue<bool>() == true)
            {
                faults.Reset();
            }

            if (body["failNext"] is JsonObject fail)
            {
                faults.FailNext(Required(fail, "pathPrefix"), (int)(Json.Long(fail["statusCode"]) ?? 500), (int)(Json.Long(fail["count"]) ?? 1),
                    fail["method"]?.GetValue<string>());
            }

            if (body["delay"] is JsonObject delay)
            {
                faults.Delay(Required(delay, "pathPrefix"), TimeSpan.FromMilliseconds(Json.Long(delay["milliseconds"]) ?? 0));
            }

            if (body["neverConverge"] is { } never)
            {
                faults.NeverConverge(never.GetValue<bool>());
            }
        }
        catch (ArgumentException e)
        {
            throw KubeApiException.BadRequest($"invalid fault: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw KubeApiException.BadRequest($"invalid fault: {e.Message}");
        }

        context.Response.StatusCode = 204;
    }

    private static string Required(JsonObject obj, string name) =>
        Json.Str(obj[name]) is { Length: > 0 } value ? value : throw KubeApiException.BadRequest($"the fault needs \"{name}\"");
}
