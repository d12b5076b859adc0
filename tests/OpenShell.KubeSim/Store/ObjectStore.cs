using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Store;

/// <summary>
/// The in-memory object store: objects keyed by (group, version, resource, namespace, name), one resourceVersion
/// counter for everything, and a bounded history of changes so watches can resume from a resourceVersion.
/// </summary>
internal sealed class ObjectStore(int historyLimit = ObjectStore.DefaultHistoryLimit)
{
    public const int DefaultHistoryLimit = 20_000;

    private readonly object _gate = new();
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    private readonly List<StoredEvent> _history = [];
    private readonly List<Channel<StoredEvent>> _subscribers = [];
    private long _revision;
    private long _historyStart = 1;

    /// <summary>The latest resourceVersion handed out.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    public JsonObject? Get(ResourceKind kind, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(ObjectKey.For(kind, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    /// <summary>Lists objects of <paramref name="kind"/> (in <paramref name="ns"/>, or everywhere when null), sorted by namespace and name.</summary>
    public (List<JsonObject> Items, long Revision) List(ResourceKind kind, string? ns)
    {
        lock (_gate)
        {
            var items = _objects
                .Where(p => p.Key.IsOf(kind) && (ns is null || p.Key.Namespace == ns))
                .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => (JsonObject)p.Value.DeepClone())
                .ToList();
            return (items, _revision);
        }
    }

    public JsonObject Create(ResourceKind kind, string? ns, JsonObject obj)
    {
        obj = (JsonObject)obj.DeepClone();
        var metadata = Json.Metadata(obj);
        if (Json.Name(obj).Length == 0 && Json.Str(metadata["generateName"]) is { Length: > 0 } prefix)
        {
            metadata["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
        }

        if (kind.Namespaced)
        {
            metadata["namespace"] = ns ?? (Json.Namespace(obj) is { Length: > 0 } own ? own : "default");
        }
        else
        {
            metadata.Remove("namespace");
        }

        obj["apiVersion"] = kind.ApiVersion;
        obj["kind"] = kind.Kind;
        ObjectRules.ApplyDefaults(kind, obj, creating: true);
        ObjectRules.Validate(kind, obj);

        lock (_gate)
        {
            var key = ObjectKey.For(kind, Json.Namespace(obj), Json.Name(obj));
            if (kind.Namespaced && !_objects.ContainsKey(ObjectKey.For(ResourceCatalog.Namespaces, null, key.Namespace)))
            {
                throw KubeApiException.NotFound(ResourceCatalog.Namespaces, key.Namespace);
            }

            if (_objects.ContainsKey(key))
            {
                throw KubeApiException.AlreadyExists(kind, key.Name);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Json.Now();
            metadata.Remove("resourceVersion");
            if (kind.HasGeneration)
            {
                metadata["generation"] = 1;
            }

            return Commit(kind, key, obj, previous: null);
        }
    }

    /// <summary>
    /// Replaces an object with what <paramref name="change"/> makes of (a copy of) it. A resourceVersion in the result
    /// that is not the current one is a conflict. Status-only updates change nothing but <c>status</c>; other updates
    /// keep the stored status of kinds with a status subresource. A no-op update does not bump the resourceVersion.
    /// </summary>
    public JsonObject Update(ResourceKind kind, string? ns, string name, Func<JsonObject, JsonObject> change, bool statusOnly = false)
    {
        lock (_gate)
        {
            var key = ObjectKey.For(kind, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                throw KubeApiException.NotFound(kind, name);
            }

            var proposed = change((JsonObject)current.DeepClone());
            var proposedVersion = Json.Str(proposed["metadata"]?["resourceVersion"]);
            if (!string.IsNullOrEmpty(proposedVersion) && proposedVersion != Json.Str(current["metadata"]?["resourceVersion"]))
            {
                throw KubeApiException.Conflict(kind, name);
            }

            JsonObject result;
            if (statusOnly)
            {
                result = (JsonObject)current.DeepClone();
                result["status"] = proposed["status"]?.DeepClone();
            }
            else
            {
                result = (JsonObject)proposed.DeepClone();
                if (kind.HasStatusSubresource)
                {
                    result["status"] = current["status"]?.DeepClone();
                }
            }

            var metadata = Json.Metadata(result);
            var currentMetadata = Json.Metadata(current);
            metadata["name"] = name;
            if (kind.Namespaced)
            {
                metadata["namespace"] = key.Namespace;
            }

            metadata["uid"] = currentMetadata["uid"]?.DeepClone();
            metadata["creationTimestamp"] = currentMetadata["creationTimestamp"]?.DeepClone();
            metadata["generation"] = currentMetadata["generation"]?.DeepClone();
            metadata["resourceVersion"] = currentMetadata["resourceVersion"]?.DeepClone();
            // Only a delete sets these.
            foreach (var field in new[] { "deletionTimestamp", "deletionGracePeriodSeconds" })
            {
                metadata.Remove(field);
                if (currentMetadata[field] is { } value)
                {
                    metadata[field] = value.DeepClone();
                }
            }

            result["apiVersion"] = kind.ApiVersion;
            result["kind"] = kind.Kind;
            if (result["status"] is null)
            {
                result.Remove("status");
            }

            ObjectRules.ApplyDefaults(kind, result, creating: false);
            ObjectRules.Validate(kind, result);
            if (JsonNode.DeepEquals(result, current))
            {
                return (JsonObject)current.DeepClone();
            }

            if (kind.HasGeneration && !JsonNode.DeepEquals(result["spec"], current["spec"]))
            {
                metadata["generation"] = (Json.Long(currentMetadata["generation"]) ?? 0) + 1;
            }

            return Commit(kind, key, result, current);
        }
    }

    /// <summary>
    /// Pods bound to the node are deleted gracefully, as the API server does when a kubelet runs them: the delete only sets
    /// <c>metadata.deletionTimestamp</c>, and the pod (and its name) stays until the kubelet has stopped its containers
    /// and deletes it with a grace period of 0. Off when no kubelet runs containers: nothing would ever finish the delete.
    /// </summary>
    public bool GracefulPodDeletion { get; init; }

    /// <summary>
    /// Deletes an object and, like the garbage collector, everything it owns (and everything in a deleted namespace); a pod
    /// bound to the node only starts terminating (see <see cref="GracefulPodDeletion"/>) unless the grace period is 0.
    /// </summary>
    /// <param name="gracePeriodSeconds">The delete's grace period; null = the pod's <c>terminationGracePeriodSeconds</c>.</param>
    /// <param name="uid">A precondition: the object must have this uid (else 409), as a kubelet's final delete says.</param>
    public JsonObject Delete(ResourceKind kind, string? ns, string name, long? gracePeriodSeconds = null, string? uid = null)
    {
        lock (_gate)
        {
            var key = ObjectKey.For(kind, ns, name);
            if (!_objects.TryGetValue(key, out var current))
            {
                throw KubeApiException.NotFound(kind, name);
            }

            if (uid is not null && Json.Str(current["metadata"]?["uid"]) is { } actual && actual != uid)
            {
                throw new KubeApiException(409, "Conflict",
                    $"Operation cannot be fulfilled on {kind.QualifiedPlural} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}");
            }

            if (GracePeriod(kind, current, gracePeriodSeconds) is { } grace)
            {
                if (Json.IsTerminating(current))
                {
                    return (JsonObject)current.DeepClone(); // Terminating already.
                }

                var terminating = (JsonObject)current.DeepClone();
                var metadata = Json.Metadata(terminating);
                metadata["deletionTimestamp"] = Json.Timestamp(DateTimeOffset.UtcNow.AddSeconds(grace));
                metadata["deletionGracePeriodSeconds"] = grace;
                return Commit(kind, key, terminating, current);
            }

            DeleteLocked(kind, key, current);
            return (JsonObject)current.DeepClone();
        }
    }

    // The API server's rule (the pod strategy's CheckGracefulDelete): a pod on no node, or one that finished, goes at once.
    private long? GracePeriod(ResourceKind kind, JsonObject current, long? requested)
    {
        if (!GracefulPodDeletion || kind != ResourceCatalog.Pods || Json.Str(Json.At(current, "spec.nodeName")) is null
            || Json.Str(Json.At(current, "status.phase")) is "Succeeded" or "Failed")
        {
            return null;
        }

        var grace = requested ?? Json.Long(Json.At(current, "spec.terminationGracePeriodSeconds")) ?? 30;
        return grace > 0 ? grace : null;
    }

    /// <summary>
    /// Subscribes to changes after <paramref name="fromRevision"/> (replayed from history), or, when null, to changes
    /// from now on with the current objects as the initial ADDED events.
    /// </summary>
    public StoreSubscription Subscribe(long? fromRevision)
    {
        lock (_gate)
        {
            var initial = new List<StoredEvent>();
            if (fromRevision is { } from)
            {
                if (from < _historyStart - 1)
                {
                    throw new KubeApiException(410, "Expired", $"too old resource version: {from} ({_historyStart - 1})");
                }

                var index = _history.FindIndex(e => e.Revision > from);
                if (index >= 0)
                {
                    initial.AddRange(_history.Skip(index));
                }
            }
            else
            {
                foreach (var (key, obj) in _objects.OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal))
                {
                    var kind = ResourceCatalog.Find(key.Group, key.Version, key.Resource)!;
                    var revision = long.Parse(Json.Str(obj["metadata"]?["resourceVersion"]) ?? "0", CultureInfo.InvariantCulture);
                    initial.Add(new StoredEvent(StoredEvent.Added, kind, (JsonObject)obj.DeepClone(), null, revision));
                }
            }

            var channel = Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });
            _subscribers.Add(channel);
            return new StoreSubscription(initial, channel.Reader, () => Unsubscribe(channel));
        }
    }

    private void Unsubscribe(Channel<StoredEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    private void DeleteLocked(ResourceKind kind, ObjectKey key, JsonObject current)
    {
        _objects.Remove(key);
        var deleted = (JsonObject)current.DeepClone();
        Json.Metadata(deleted)["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        Publish(new StoredEvent(StoredEvent.Deleted, kind, deleted, current, _revision));

        var uid = Json.Str(current["metadata"]?["uid"]);
        var dependents = _objects
            .Where(p => (kind == ResourceCatalog.Namespaces && p.Key.Namespace == key.Name && p.Key.Namespace.Length > 0)
                || (p.Value["metadata"]?["ownerReferences"] is JsonArray owners && owners.Any(o => Json.Str(o?["uid"]) == uid)))
            .ToList();
        foreach (var (dependentKey, dependent) in dependents)
        {
            if (_objects.ContainsKey(dependentKey))
            {
                DeleteLocked(ResourceCatalog.Find(dependentKey.Group, dependentKey.Version, dependentKey.Resource)!, dependentKey, dependent);
            }
        }
    }

    private JsonObject Commit(ResourceKind kind, ObjectKey key, JsonObject obj, JsonObject? previous)
    {
        Json.Metadata(obj)["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        _objects[key] = obj;
        Publish(new StoredEvent(previous is null ? StoredEvent.Added : StoredEvent.Modified, kind, (JsonObject)obj.DeepClone(), previous, _revision));
        return (JsonObject)obj.DeepClone();
    }

    private void Publish(StoredEvent change)
    {
        _history.Add(change);
        if (_history.Count > historyLimit * 2)
        {
            _history.RemoveRange(0, historyLimit);
            _historyStart = _history[0].Revision;
        }

        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(change);
        }
    }
}
