using System.Text.Json.Serialization;

namespace OpenShell.DevLoop.History;

/// <summary>The history line format: camelCase, nulls left out, one object per line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeployHistoryEntry))]
internal sealed partial class DeployHistoryJson : JsonSerializerContext;
