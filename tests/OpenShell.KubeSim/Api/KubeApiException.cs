using System.Text.Json.Nodes;

namespace OpenShell.KubeSim.Api;

/// <summary>A request failure the API reports as a <c>Status</c> object, shaped like the real API server's.</summary>
internal sealed class KubeApiException : Exception
{
    public KubeApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public JsonObject ToStatus() => Status(Code, Reason, Message, Details);

    public static JsonObject Status(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details.DeepClone();
        }

        status["code"] = code;
        return status;
    }

    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };

    public static KubeApiException NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.QualifiedPlural} \"{name}\" not found", DetailsOf(kind, name));

    public static KubeApiException AlreadyExists(ResourceKind kind, string name) =>
        new(409, "AlreadyExists", $"{kind.QualifiedPlural} \"{name}\" already exists", DetailsOf(kind, name));

    public static KubeApiException Conflict(ResourceKind kind, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {kind.QualifiedPlural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", DetailsOf(kind, name));

    public static KubeApiException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>A 422 with one cause per invalid field, e.g. <c>StatefulSet.apps "x" is invalid: spec.selector: Required value</c>.</summary>
    public static KubeApiException Invalid(ResourceKind kind, string name, params (string Field, string Reason, string Message)[] causes)
    {
        var list = new JsonArray();
        foreach (var (field, reason, message) in causes)
        {
            list.Add(new JsonObject { ["reason"] = reason, ["message"] = message, ["field"] = field });
        }

        var kindName = kind.Group.Length == 0 ? kind.Kind : $"{kind.Kind}.{kind.Group}";
        var summary = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        var details = new JsonObject { ["name"] = name, ["group"] = kind.Group, ["kind"] = kind.Kind, ["causes"] = list };
        return new KubeApiException(422, "Invalid", $"{kindName} \"{name}\" is invalid: {summary}", details);
    }

    private static JsonObject DetailsOf(ResourceKind kind, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (kind.Group.Length > 0)
        {
            details["group"] = kind.Group;
        }

        details["kind"] = kind.Plural;
        return details;
    }
}
