using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using OpenShell.KubeSim.Patching;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Api;

/// <summary>Serves the Kubernetes REST API over the store: discovery, CRUD, patch, watch, pod logs, the fault hooks and the admin endpoint.</summary>
internal sealed class KubeApiHandler(ObjectStore store, KubeSimFaults faults, string token, CancellationToken stopping)
{
    /// <summary>Where pod logs come from when pods really run; null serves canned lines.</summary>
    public IPodLogs? PodLogs { get; set; }

    private static readonly string[] s_anonymousPaths = ["/version", "/readyz", "/livez", "/healthz"];

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        try
        {
            if (s_anonymousPaths.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal)))
            {
                await HandleAnonymousAsync(context, path);
                return;
            }

            if (!IsAuthorized(context.Request))
            {
                throw new KubeApiException(401, "Unauthorized", "Unauthorized");
            }

            if (path.StartsWith("/_sim/", StringComparison.Ordinal))
            {
                await AdminEndpoint.HandleAsync(context, faults);
                return;
            }

            var delay = faults.DelayFor(path);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (faults.TakeFailure(path, context.Request.Method) is { } failure)
            {
                if (failure == 429)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                throw new KubeApiException(failure, KubeApiException.ReasonFor(failure), $"injected fault: {failure} on {path}");
            }

            await RouteAsync(context, path);
        }
        catch (KubeApiException e)
        {
            await WriteStatusAsync(context, e);
        }
        catch (JsonException e)
        {
            await WriteStatusAsync(context, KubeApiException.BadRequest($"the request body is not valid JSON: {e.Message}"));
        }
        catch (FormatException e)
        {
            await WriteStatusAsync(context, KubeApiException.BadRequest($"the request body is not valid: {e.Message}"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
            // The client went away or the server is stopping.
        }
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && CryptographicEquals(header["Bearer ".Length..].Trim(), token);
    }

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static async Task HandleAnonymousAsync(HttpContext context, string path)
    {
        if (path == "/version")
        {
            await WriteJsonAsync(context, 200, Discovery.Version());
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("ok", context.RequestAborted);
    }

    private async Task RouteAsync(HttpContext context, string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;
        if (segments.Length >= 2 && segments[0] == "openapi" && segments[1] == "v3" && method == "GET")
        {
            var document = segments.Length == 2 ? OpenApiDocuments.Root() : OpenApiDocuments.GroupVersion(string.Join('/', segments[2..]));
            if (document is not null)
            {
                await WriteJsonAsync(context, 200, document);
                return;
            }
        }
        else if (segments.Length >= 1 && segments[0] == "api")
        {
            if (segments.Length == 1)
            {
                await WriteJsonAsync(context, 200, Discovery.CoreVersions());
                return;
            }

            if (segments.Length == 2 && Discovery.ResourceList("", segments[1]) is { } core)
            {
                await WriteJsonAsync(context, 200, core);
                return;
            }

            if (segments.Length > 2 && RequestTarget.Parse("", segments[1], segments[2..]) is { } target)
            {
                await HandleResourceAsync(context, method, target);
                return;
            }
        }
        else if (segments.Length >= 1 && segments[0] == "apis")
        {
            if (segments.Length == 1)
            {
                await WriteJsonAsync(context, 200, Discovery.GroupList());
                return;
            }

            if (segments.Length == 2 && Discovery.Group(segments[1]) is { } group)
            {
                await WriteJsonAsync(context, 200, group);
                return;
            }

            if (segments.Length == 3 && Discovery.ResourceList(segments[1], segments[2]) is { } list)
            {
                await WriteJsonAsync(context, 200, list);
                return;
            }

            if (segments.Length > 3 && RequestTarget.Parse(segments[1], segments[2], segments[3..]) is { } target)
            {
                await HandleResourceAsync(context, method, target);
                return;
            }
        }

        throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
    }

    private async Task HandleResourceAsync(HttpContext context, string method, RequestTarget target)
    {
        var (kind, ns, name, sub) = target;
        var query = context.Request.Query;
        if (query.TryGetValue("dryRun", out var dryRun) && !StringValues.IsNullOrEmpty(dryRun))
        {
            throw KubeApiException.BadRequest("dryRun is not modelled by the Kubernetes API simulator: drop --dry-run=server");
        }

        if (!kind.Namespaced && ns is not null)
        {
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }

        if (sub is not null && !(sub == "status" && kind.HasStatusSubresource) && !(sub == "log" && kind == ResourceCatalog.Pods))
        {
            throw new KubeApiException(404, "NotFound", $"the server could not find the requested resource ({kind.Plural}/{sub})");
        }

        if (kind.Namespaced && ns is null && name is not null)
        {
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }

        switch (method)
        {
            case "GET" when name is null:
                if (IsTrue(query["watch"]))
                {
                    await WatchAsync(context, kind, ns);
                }
                else
                {
                    await WriteJsonAsync(context, 200, ListObject(kind, ns, query));
                }

                return;
            case "GET" when sub == "log":
                await WriteLogAsync(context, kind, ns, name);
                return;
            case "GET":
                await WriteJsonAsync(context, 200, store.Get(kind, ns, name) ?? throw KubeApiException.NotFound(kind, name));
                return;
            case "POST" when name is null:
            {
                var body = await ReadObjectAsync(context);
                CheckNamespace(body, ns, kind);
                await WriteJsonAsync(context, 201, store.Create(kind, ns, body));
                return;
            }

            case "PUT" when name is not null:
            {
                var body = await ReadObjectAsync(context);
                CheckNamespace(body, ns, kind);
                if (Json.Name(body) is { Length: > 0 } bodyName && bodyName != name)
                {
                    throw KubeApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
                }

                await WriteJsonAsync(context, 200, store.Update(kind, ns, name, _ => body, statusOnly: sub == "status"));
                return;
            }

            case "PATCH" when name is not null:
                await WriteJsonAsync(context, 200, await PatchAsync(context, kind, ns, name, sub == "status"));
                return;
            case "DELETE" when name is not null:
            {
                // Like the API server: pods, services and namespaces answer with the deleted object, other kinds with a Status.
                var (grace, uid) = await DeleteOptionsAsync(context);
                var deleted = store.Delete(kind, ns, name, grace, uid);
                var returnsObject = kind == ResourceCatalog.Pods || kind == ResourceCatalog.Services || kind == ResourceCatalog.Namespaces;
                await WriteJsonAsync(context, 200, returnsObject ? deleted : SuccessStatus(kind, name, Json.Str(deleted["metadata"]?["uid"])));
                return;
            }

            case "DELETE":
            {
                var (items, _) = store.List(kind, ns);
                var (grace, _) = await DeleteOptionsAsync(context);
                var labels = LabelSelector.Parse(query["labelSelector"]);
                var fields = FieldSelector.Parse(query["fieldSelector"]);
                foreach (var item in items.Where(i => labels.Matches(Json.Labels(i)) && fields.Matches(i)))
                {
                    try
                    {
                        store.Delete(kind, Json.Namespace(item), Json.Name(item), grace);
                    }
                    catch (KubeApiException e) when (e.Code == 404)
                    {
                        // Already removed by a cascade.
                    }
                }

                await WriteJsonAsync(context, 200, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success" });
                return;
            }

            default:
                throw new KubeApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method} {kind.Plural})");
        }
    }

    private async Task<JsonObject> PatchAsync(HttpContext context, ResourceKind kind, string? ns, string name, bool statusOnly)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim() ?? "";
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        switch (contentType)
        {
            case "application/merge-patch+json":
            {
                var patch = JsonNode.Parse(text);
                return store.Update(kind, ns, name, current => AsObject(MergePatch.Apply(current, patch)), statusOnly);
            }

            case "application/strategic-merge-patch+json":
            {
                var patch = JsonNode.Parse(text);
                return store.Update(kind, ns, name, current => AsObject(StrategicMergePatch.Apply(current, patch)), statusOnly);
            }

            case "application/json-patch+json":
            {
                var patch = JsonNode.Parse(text);
                return store.Update(kind, ns, name, current => AsObject(JsonPatch.Apply(current, patch)), statusOnly);
            }

            case "application/apply-patch+yaml" or "application/apply-patch+json":
            {
                // Server-side apply modelled as "create, or merge-patch the applied configuration" (no field ownership).
                var applied = Yaml.ReadDocuments(text).SingleOrDefault() ?? throw KubeApiException.BadRequest("the apply patch is empty");
                CheckNamespace(applied, ns, kind);
                if (store.Get(kind, ns, name) is null && !statusOnly)
                {
                    Json.Metadata(applied)["name"] = name;
                    return store.Create(kind, ns, applied);
                }

                applied["metadata"]?.AsObject().Remove("resourceVersion");
                return store.Update(kind, ns, name, current => AsObject(MergePatch.Apply(current, applied)), statusOnly);
            }

            default:
                throw new KubeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \"{contentType}\")");
        }
    }

    private JsonObject ListObject(ResourceKind kind, string? ns, IQueryCollection query)
    {
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        var (items, revision) = store.List(kind, ns);
        var array = new JsonArray();
        foreach (var item in items.Where(i => labels.Matches(Json.Labels(i)) && fields.Matches(i)))
        {
            array.Add(item);
        }

        return new JsonObject
        {
            ["kind"] = kind.Kind + "List",
            ["apiVersion"] = kind.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = array,
        };
    }

    private async Task WatchAsync(HttpContext context, ResourceKind kind, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        var sendInitialEvents = IsTrue(query["sendInitialEvents"]);
        string? resourceVersion = query["resourceVersion"];
        long? from = null;
        if (!sendInitialEvents && !string.IsNullOrEmpty(resourceVersion) && resourceVersion != "0")
        {
            from = long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw KubeApiException.BadRequest($"invalid resourceVersion \"{resourceVersion}\": expected a number");
        }

        using var timeout = new CancellationTokenSource();
        if (long.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping, timeout.Token);
        var ct = linked.Token;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(ct);

        StoreSubscription subscription;
        try
        {
            subscription = store.Subscribe(from);
        }
        catch (KubeApiException e) when (e.Code == 410)
        {
            await WriteEventAsync(context, "ERROR", e.ToStatus(), ct);
            return;
        }

        using (subscription)
        {
            bool Matches(JsonObject? obj) =>
                obj is not null && (ns is null || Json.Namespace(obj) == ns) && labels.Matches(Json.Labels(obj)) && fields.Matches(obj);

            try
            {
                foreach (var change in subscription.Initial.Where(e => e.Kind == kind))
                {
                    if (WatchEventType(change, Matches) is { } type)
                    {
                        await WriteEventAsync(context, type, change.Object, ct);
                    }
                }

                if (sendInitialEvents)
                {
                    var bookmark = new JsonObject
                    {
                        ["kind"] = kind.Kind,
                        ["apiVersion"] = kind.ApiVersion,
                        ["metadata"] = new JsonObject
                        {
                            ["resourceVersion"] = store.Revision.ToString(CultureInfo.InvariantCulture),
                            ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                        },
                    };
                    await WriteEventAsync(context, "BOOKMARK", bookmark, ct);
                }

                await foreach (var change in subscription.Reader.ReadAllAsync(ct))
                {
                    if (change.Kind == kind && WatchEventType(change, Matches) is { } type)
                    {
                        await WriteEventAsync(context, type, change.Object, ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Timeout, client gone or server stopping: end the stream like the API server does.
            }
        }
    }

    /// <summary>The event a filtered watch sees: objects entering the selection are ADDED, leaving it DELETED.</summary>
    private static string? WatchEventType(StoredEvent change, Func<JsonObject?, bool> matches)
    {
        var now = matches(change.Object);
        var before = change.Previous is not null && matches(change.Previous);
        return change.Type switch
        {
            StoredEvent.Added => now ? StoredEvent.Added : null,
            StoredEvent.Deleted => now || before ? StoredEvent.Deleted : null,
            _ when now && before => StoredEvent.Modified,
            _ when now => StoredEvent.Added,
            _ when before => StoredEvent.Deleted,
            _ => null,
        };
    }

    private static async Task WriteEventAsync(HttpContext context, string type, JsonObject obj, CancellationToken ct)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";
        await context.Response.WriteAsync(line, ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private async Task WriteLogAsync(HttpContext context, ResourceKind kind, string? ns, string name)
    {
        var pod = store.Get(kind, ns, name) ?? throw KubeApiException.NotFound(kind, name);
        var containers = (Json.At(pod, "spec.containers") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        string? requested = context.Request.Query["container"];
        var container = requested is null ? containers.FirstOrDefault() : containers.FirstOrDefault(c => Json.Str(c["name"]) == requested);
        if (container is null)
        {
            throw KubeApiException.BadRequest($"container {requested} is not valid for pod {name}");
        }

        if (PodLogs is { } logs)
        {
            await logs.WriteLogsAsync(context, pod, Json.Str(container["name"]) ?? "");
            return;
        }

        var phase = Json.Str(Json.At(pod, "status.phase"));
        if (phase != "Running")
        {
            throw KubeApiException.BadRequest($"container \"{Json.Str(container["name"])}\" in pod \"{name}\" is waiting to start: ContainerCreating");
        }

        context.Response.ContentType = "text/plain";
        var started = Json.Str(Json.At(pod, "status.startTime")) ?? Json.Now();
        await context.Response.WriteAsync(
            $"{started} simulated log of container {Json.Str(container["name"])} in pod {ns}/{name}\n" +
            $"{started} image {Json.Str(container["image"])}\n" +
            $"{started} the Kubernetes API simulator runs no containers; these lines are all there is\n",
            context.RequestAborted);
    }

    private static JsonObject SuccessStatus(ResourceKind kind, string name, string? uid)
    {
        var details = new JsonObject { ["name"] = name };
        if (kind.Group.Length > 0)
        {
            details["group"] = kind.Group;
        }

        details["kind"] = kind.Plural;
        details["uid"] = uid;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static void CheckNamespace(JsonObject body, string? ns, ResourceKind kind)
    {
        if (kind.Namespaced && ns is not null && Json.Namespace(body) is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
        {
            throw KubeApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (Json.Str(body["kind"]) is { Length: > 0 } bodyKind && bodyKind != kind.Kind)
        {
            throw KubeApiException.BadRequest($"the body is a {bodyKind}, the URL names {kind.Plural}");
        }
    }

    // A delete's grace period (query or DeleteOptions body, as kubectl sends it) and its uid precondition.
    private static async Task<(long? GracePeriodSeconds, string? Uid)> DeleteOptionsAsync(HttpContext context)
    {
        long? grace = long.TryParse(context.Request.Query["gracePeriodSeconds"], System.Globalization.CultureInfo.InvariantCulture, out var q) ? q : null;
        if (context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return (grace, null);
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (grace, null);
        }

        var options = JsonNode.Parse(text) as JsonObject ?? throw KubeApiException.BadRequest("DeleteOptions must be a JSON object");
        return (Json.Long(options["gracePeriodSeconds"]) ?? grace, Json.Str(Json.At(options, "preconditions.uid")));
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "";
        if (contentType.StartsWith(ProtobufBody.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return ProtobufBody.Decode(buffer.ToArray());
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var node = contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase) ? Yaml.ReadDocuments(text).FirstOrDefault() : JsonNode.Parse(text);
        return node as JsonObject ?? throw KubeApiException.BadRequest("the request body must be a JSON object");
    }

    private static JsonObject AsObject(JsonNode? node) =>
        node as JsonObject ?? throw new KubeApiException(422, "Invalid", "the patch did not produce an object");

    private static bool IsTrue(StringValues value) => value == "true" || value == "1";

    private static Task WriteStatusAsync(HttpContext context, KubeApiException e)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        return WriteJsonAsync(context, e.Code, e.ToStatus());
    }

    internal static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
