using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>Source-generated JSON metadata for the manifest.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestDto))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
