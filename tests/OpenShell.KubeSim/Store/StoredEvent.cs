using System.Text.Json.Nodes;
using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Store;

/// <summary>A change to the store: ADDED, MODIFIED or DELETED, with the object after (and before) the change. Objects are never mutated after publication.</summary>
internal sealed record StoredEvent(string Type, ResourceKind Kind, JsonObject Object, JsonObject? Previous, long Revision)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";

    public string Namespace => Json.Namespace(Object);

    public string Name => Json.Name(Object);
}
