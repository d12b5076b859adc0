using System.Text.Json.Serialization;

namespace OpenShell.DevLoop.History;

/// <summary>The history's JSON: camelCase, nulls left out; one object per line in the file.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeployHistoryEntry))]
[JsonSerializable(typeof(IReadOnlyList<DeployHistoryReportItem>))]
public sealed partial class DeployHistoryJson : JsonSerializerContext;
